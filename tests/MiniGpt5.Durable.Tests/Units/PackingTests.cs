using System.Collections.Concurrent;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Durable.Tests.Infrastructure;
using MiniGpt5.Storage.Local;
using Xunit.Abstractions;

namespace MiniGpt5.Durable.Tests.Units;

/// <summary>
/// Packed activity messages (a fan-out of 65 → 2 calls per message): fewer messages, and a worker that stops in the
/// middle of a pack hands back only the calls whose results were not sent, so finished calls do not run again.
/// </summary>
public sealed class PackingTests(ITestOutputHelper output) : IDisposable
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<int, int>> Runs = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static void Register(DurableTaskBuilder b)
    {
        // Even calls (the first of each pack) return at once; odd calls wait for the test's gate.
        b.AddActivity<int, int>("PackStep", async (ctx, i) =>
        {
            Runs.GetOrAdd(ctx.InstanceId, _ => new()).AddOrUpdate(i, 1, (_, n) => n + 1);
            if (i % 2 == 1)
            {
                await Gates.GetOrAdd(ctx.InstanceId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(ctx.CancellationToken);
            }

            return i;
        });
        b.AddOrchestrator<int, int>("Packed", async (ctx, n) =>
            (await Task.WhenAll(Enumerable.Range(0, n).Select(i => ctx.CallActivityAsync<int>("PackStep", i)))).Sum());
    }

    [Fact]
    public async Task A_stopped_worker_hands_back_only_the_unfinished_calls_of_a_pack()
    {
        var blobs = new LocalBlobStore(_folder.Path);
        var queues = new LocalQueueStore(_folder.Path);
        var first = await TestHost.StartAsync(blobs, queues, "packing", Register, output, configureWorker: w =>
        {
            w.MaxConcurrentActivities = 2;
            w.DrainTimeout = TimeSpan.FromMilliseconds(500);
        });
        var id = await first.Client.ScheduleNewOrchestrationAsync("Packed", 65);

        // Two packs in flight: [0,1] and [2,3]; 0 and 2 are done and reported, 1 and 3 are blocked.
        var runs = Runs.GetOrAdd(id, _ => new());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(runs.ContainsKey(1) && runs.ContainsKey(3)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(runs.ContainsKey(1) && runs.ContainsKey(3), "the first two packs did not start");
        Assert.True(first.Hub.Statistics.MessagesSent < 65, $"{first.Hub.Statistics.MessagesSent} messages for 65 calls");
        await Task.Delay(300); // let the results of 0 and 2 go out
        await first.DisposeAsync();

        Gates.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        await using var second = await TestHost.StartAsync(blobs, queues, "packing", Register, output, configureWorker: w => w.MaxConcurrentActivities = 16);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var done = await second.Client.WaitForInstanceCompletionAsync(id, cancellationToken: timeout.Token);
        Assert.Equal(Enumerable.Range(0, 65).Sum(), done.ReadOutputAs<int>());

        Assert.Equal(1, runs[0]);
        Assert.Equal(1, runs[2]);
        Assert.Equal(2, runs[1]); // interrupted, handed back, run again
        Assert.Equal(2, runs[3]);
        Assert.All(Enumerable.Range(4, 61), i => Assert.Equal(1, runs[i]));
    }
}
