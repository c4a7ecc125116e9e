using System.Text;
using MiniGpt5.Durable.Client;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Durable.Tests.Infrastructure;
using MiniGpt5.Storage;
using MiniGpt5.Storage.Emulator;
using MiniGpt5.Testing;
using Xunit.Abstractions;

namespace MiniGpt5.Durable.Tests.Faults;

[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;

/// <summary>
/// Faults with real worker processes on Azurite: kill -9 in the middle of an activity, two workers racing for a
/// partition whose lease keeps being broken, duplicated queue messages and 503s injected by a proxy.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class FaultTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _hub = "f" + Guid.NewGuid().ToString("N")[..10];
    private readonly List<WorkerProcess> _workers = [];
    private readonly List<FaultProxy> _proxies = [];
    private StorageAccount _account = null!;
    private TestHost? _clientHost;

    private TestHost _client => _clientHost ?? throw new InvalidOperationException("Call StartClientAsync first.");

    public Task InitializeAsync()
    {
        _account = StorageAccount.FromConnectionString(azurite.ConnectionString);
        return Task.CompletedTask;
    }

    /// <summary>A client (no worker) in the test process; it creates the hub with <paramref name="partitions"/> partitions.</summary>
    private async Task StartClientAsync(int partitions = 2) =>
        _clientHost = await TestHost.StartAsync(_account.Blobs, _account.Queues, _hub, _ => { }, output, withWorker: false, logPrefix: "client", configureHub: o => o.PartitionCount = partitions);

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            output.WriteLine($"--- {worker.Id} (pid {worker.ProcessId}) ---{Environment.NewLine}{worker.Output}");
            await worker.DisposeAsync();
        }

        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        if (_clientHost is not null)
        {
            await _clientHost.Hub.DeleteAsync();
            foreach (var taskQueue in new[] { "default", "gpu" })
            {
                await _clientHost.Hub.DeleteActivityQueueAsync(taskQueue);
            }

            await _clientHost.DisposeAsync();
        }
    }

    [Fact]
    public async Task Killed_worker_mid_activity_the_orchestration_completes_elsewhere_with_one_output()
    {
        await StartClientAsync();
        var first = await StartWorkerAsync("w1", azurite.ConnectionString, "--task-queue", "gpu");
        var second = await StartWorkerAsync("w2", azurite.ConnectionString, "--task-queue", "gpu");
        var id = await _client.Client.ScheduleNewOrchestrationAsync("WriteOnce", new { delayMs = 4000 });

        // Find the worker that started the activity, and kill it before it writes the output.
        var started = await WaitForBlobsAsync($"started/{id}/", 1);
        var victim = await ReadAsync(started[0]);
        var survivor = victim == first.Id ? second : first;
        _workers.Single(w => w.Id == victim).KillHard();
        output.WriteLine($"killed {victim} mid-activity; {survivor.Id} should finish");

        var done = await WaitAsync(id, 90);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(survivor.Id, done.ReadOutputAs<string>());

        var outputs = await ListAsync($"outputs/{id}/");
        Assert.Equal([$"outputs/{id}/result"], outputs);
        Assert.Equal(survivor.Id, await ReadAsync(outputs[0]));
        var starts = await ListAsync($"started/{id}/");
        Assert.Contains(starts, s => s.Contains($"/{victim}-", StringComparison.Ordinal));
        Assert.Contains(starts, s => s.Contains($"/{survivor.Id}-", StringComparison.Ordinal));
        Assert.Null(await HistoryAudit.FindProblemAsync(_account.Blobs, _hub, id, done.ExecutionId));
    }

    [Fact]
    public async Task Workers_racing_for_a_partition_never_both_commit_one_history()
    {
        // One partition, two workers, and a test that keeps breaking the lease: each break lets the other worker
        // acquire it while the old owner keeps working until its next renewal (up to 6 s later). Both then run
        // episodes for the same instances, from warm caches that go stale: the append position must decide.
        await StartClientAsync(partitions: 1);
        var one = await StartWorkerAsync("r1", azurite.ConnectionString, "--partitions", "1", "--lease-renew", "6");
        var two = await StartWorkerAsync("r2", azurite.ConnectionString, "--partitions", "1", "--lease-renew", "6");
        var names = new TaskHubNames(_hub);
        var ids = new List<string>();
        var breaks = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nextBreak = TimeSpan.Zero;
        int Conflicts() => one.CountLines("Checkpoint conflict") + two.CountLines("Checkpoint conflict");

        // Keep load and lease breaks coming until both workers have collided at least once (or 60 s passed).
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && (Conflicts() == 0 || clock.Elapsed < TimeSpan.FromSeconds(8)))
        {
            ids.Add(await _client.Client.ScheduleNewOrchestrationAsync("Chain", 6));
            if (clock.Elapsed >= nextBreak)
            {
                try
                {
                    await _account.Blobs.BreakLeaseAsync(names.LeasesContainer, TaskHubNames.PartitionLeaseBlob(0), TimeSpan.Zero);
                    breaks++;
                }
                catch (StorageException)
                {
                    // Not leased at this moment.
                }

                nextBreak = clock.Elapsed + TimeSpan.FromMilliseconds(300);
            }

            await Task.Delay(150);
        }

        var results = new List<OrchestrationMetadata>();
        foreach (var id in ids)
        {
            results.Add(await WaitAsync(id, 120));
        }

        var stats = new[] { await one.StopGracefullyAsync(TimeSpan.FromSeconds(30)), await two.StopGracefullyAsync(TimeSpan.FromSeconds(30)) };
        var conflicts = stats.Sum(s => s?.CheckpointConflicts ?? 0);
        output.WriteLine($"{ids.Count} instances, {breaks} lease breaks in {clock.Elapsed.TotalSeconds:F0} s; checkpoint conflicts detected and abandoned: {conflicts}; " +
            $"episodes r1 {stats[0]?.Episodes}, r2 {stats[1]?.Episodes}");

        foreach (var done in results)
        {
            Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
            Assert.Equal(6 + Enumerable.Range(1, 6).Sum(), done.ReadOutputAs<int>());
            Assert.Null(await HistoryAudit.FindProblemAsync(_account.Blobs, _hub, done.InstanceId, done.ExecutionId));
        }

        Assert.True(stats.All(s => s is { Episodes: > 0 }), "both workers must have run episodes");
        Assert.True(conflicts >= 1, "the two workers never raced for one history; the split brain was not exercised");
    }

    [Fact]
    public async Task Duplicated_queue_messages_do_not_duplicate_completions()
    {
        await StartClientAsync();
        var queues = await StartProxyAsync(azurite.Azurite.QueueEndpoint);
        queues.DuplicatePutMessage = true;
        var worker = await StartWorkerAsync("d1", ConnectionString(azurite.Azurite.BlobEndpoint, queues.Endpoint));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await _client.Client.ScheduleNewOrchestrationAsync("Chain", 6));
        }

        foreach (var id in ids)
        {
            var done = await WaitAsync(id, 90);
            Assert.Equal(6 + Enumerable.Range(1, 6).Sum(), done.ReadOutputAs<int>());
            Assert.Null(await HistoryAudit.FindProblemAsync(_account.Blobs, _hub, id, done.ExecutionId));
        }

        var stats = await worker.StopGracefullyAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{queues.Duplicated} messages duplicated; {stats?.DuplicatesDropped} dropped as duplicates");
        Assert.True(queues.Duplicated >= 30);
        Assert.True(stats!.DuplicatesDropped >= 10);
    }

    [Fact]
    public async Task Storage_503s_are_retried()
    {
        await StartClientAsync();
        var blobs = await StartProxyAsync(azurite.Azurite.BlobEndpoint);
        var queues = await StartProxyAsync(azurite.Azurite.QueueEndpoint);
        foreach (var proxy in new[] { blobs, queues })
        {
            proxy.RejectEveryNth = 6;  // refused before storage sees it
            proxy.LoseEveryNth = 17;   // applied, but the answer is a 503
        }

        await StartWorkerAsync("s1", ConnectionString(blobs.Endpoint, queues.Endpoint), "--task-queue", "default", "--task-queue", "gpu");
        var chains = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            chains.Add(await _client.Client.ScheduleNewOrchestrationAsync("Chain", 6));
        }

        var write = await _client.Client.ScheduleNewOrchestrationAsync("WriteOnce", new { delayMs = 10 });
        foreach (var id in chains)
        {
            var done = await WaitAsync(id, 120);
            Assert.Equal(6 + Enumerable.Range(1, 6).Sum(), done.ReadOutputAs<int>());
            Assert.Null(await HistoryAudit.FindProblemAsync(_account.Blobs, _hub, id, done.ExecutionId));
        }

        Assert.Equal("s1", (await WaitAsync(write, 60)).ReadOutputAs<string>());
        output.WriteLine($"blob proxy: {blobs.Rejected} refused, {blobs.Lost} answers lost; queue proxy: {queues.Rejected} refused, {queues.Lost} answers lost");
        Assert.True(blobs.Rejected + queues.Rejected > 20);
        Assert.True(blobs.Lost + queues.Lost > 5);
    }

    private static string ConnectionString(Uri blob, Uri queue) =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};BlobEndpoint={blob};QueueEndpoint={queue};";

    private async Task<FaultProxy> StartProxyAsync(Uri target)
    {
        var proxy = await FaultProxy.StartAsync(target);
        _proxies.Add(proxy);
        return proxy;
    }

    private async Task<WorkerProcess> StartWorkerAsync(string id, string connectionString, params string[] extra)
    {
        string[] arguments = ["--storage", connectionString, "--hub", _hub, .. extra];
        if (!extra.Contains("--partitions"))
        {
            arguments = [.. arguments, "--partitions", "2"];
        }

        var worker = await WorkerProcess.StartAsync(id, arguments);
        _workers.Add(worker);
        return worker;
    }

    private async Task<OrchestrationMetadata> WaitAsync(string id, int seconds)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            return await _client.Client.WaitForInstanceCompletionAsync(id, cancellationToken: timeout.Token);
        }
        catch (OperationCanceledException)
        {
            var status = await _client.Client.GetInstanceAsync(id);
            throw new TimeoutException($"Instance {id} did not finish in {seconds} s; it is {status?.RuntimeStatus}.");
        }
    }

    private async Task<List<string>> WaitForBlobsAsync(string prefix, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var names = await ListAsync(prefix);
            if (names.Count >= count)
            {
                return names;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No blob under '{prefix}' after 60 s.");
            }

            await Task.Delay(50);
        }
    }

    private async Task<List<string>> ListAsync(string prefix)
    {
        await _account.Blobs.CreateContainerAsync("faults");
        var page = await _account.Blobs.ListPageAsync("faults", new BlobListOptions(Prefix: prefix));
        return page.Blobs.Select(b => b.Name).Order(StringComparer.Ordinal).ToList();
    }

    private async Task<string> ReadAsync(string name)
    {
        await using var download = await _account.Blobs.GetAsync("faults", name);
        using var reader = new StreamReader(download.Content, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
