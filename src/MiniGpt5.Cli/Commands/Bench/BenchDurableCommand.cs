using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;
using MiniGpt5.Storage.Emulator;
using MiniGpt5.Storage.Local;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// `minigpt5 bench durable`: one orchestration fans out N no-op activities and fans them back in, with one
/// in-process worker, on the local store and on Azurite (or the store given). Prints, per backend and N:
/// end-to-end activities/s against the raw store's floor for the same queue traffic (measured in the same
/// run) and against Durable Functions' published fan-out target; schedule-to-start latency p50/p99 against the
/// raw queue's own enqueue-to-dequeue latency; and the history events the runtime processed against what a
/// full replay per episode (Durable Functions without extended sessions) would have processed for the same
/// episodes — the number that shows replay cost staying linear in N.
/// </summary>
internal static class BenchDurableCommand
{
    /// <summary>Durable Functions' published "parallel activity execution" target on Azure Storage, per instance.</summary>
    private const double PublishedFanOutTarget = 100;

    private const string PublishedName = "Durable Functions Azure Storage fan-out target (published, per instance)";

    /// <summary>Most activities' worth of messages the raw floor is measured on.</summary>
    private const int FloorSample = 1000;

    /// <summary>Most activities the one-call-per-message run (packing off) is measured on.</summary>
    private const int UnpackedSample = 500;

    /// <summary>The hub's default packing (<see cref="DurableTaskHubOptions.MaxActivitiesPerMessage"/>).</summary>
    private static readonly int DefaultPacking = new DurableTaskHubOptions().MaxActivitiesPerMessage;

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per measured case." };
        var storage = new Option<string?>("--storage")
        {
            Description = "'local' (a temp folder), 'local:<folder>', or a storage connection string. Default: both local and a private Azurite.",
        };
        var count = new Option<string>("--count")
        {
            Description = "Comma-separated fan-out sizes.",
            DefaultValueFactory = _ => "1000,10000",
        };
        var command = new Command("durable", "Fan-out/fan-in throughput, schedule-to-start latency and replay cost of the durable runtime.")
        {
            json,
            storage,
            count,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(json), parse.GetValue(storage), parse.GetValue(count)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(bool json, string? storage, string counts, CancellationToken cancellationToken)
    {
        int[] sizes;
        try
        {
            sizes = counts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(c => int.Parse(c, NumberStyles.Integer, CultureInfo.InvariantCulture))
                .ToArray();
            if (sizes.Length == 0 || sizes.Any(n => n < 1))
            {
                throw new FormatException("sizes must be positive");
            }
        }
        catch (FormatException)
        {
            await Console.Error.WriteLineAsync($"--count '{counts}' is not a comma-separated list of positive integers (for example 1000,10000).");
            return 2;
        }

        var backends = new List<Backend>();
        AzuriteProcess? azurite = null;
        var temp = Path.Combine(Path.GetTempPath(), "minigpt5-bench-durable-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            if (storage is null || storage.Trim().StartsWith("local", StringComparison.OrdinalIgnoreCase))
            {
                var root = storage?.Trim() is { } s && s.StartsWith("local:", StringComparison.OrdinalIgnoreCase) ? s["local:".Length..] : temp;
                backends.Add(new Backend("local", new LocalBlobStore(root), new LocalQueueStore(root)));
            }

            if (storage is null)
            {
                var launcher = AzuriteProcess.Locate(AppContext.BaseDirectory) ?? AzuriteProcess.Locate();
                if (launcher is null)
                {
                    await Console.Error.WriteLineAsync("Azurite is not installed (tools/azurite/node_modules/.bin/azurite); skipping the Azurite cases. Install it with: cd tools/azurite && npm ci");
                }
                else
                {
                    azurite = await AzuriteProcess.StartAsync(launcher, extentMemoryLimitMb: 2048, cancellationToken: cancellationToken);
                    backends.Add(OpenConnectionString("azurite", azurite.ConnectionString));
                }
            }
            else if (!storage.Trim().StartsWith("local", StringComparison.OrdinalIgnoreCase))
            {
                backends.Add(OpenConnectionString("azure", storage.Trim()));
            }

            foreach (var backend in backends)
            {
                foreach (var n in sizes)
                {
                    var measured = await MeasureAsync(backend, n, cancellationToken);
                    foreach (var result in measured.Results)
                    {
                        Console.WriteLine(json ? result.ToJson() : result.ToText());
                    }

                    if (!json)
                    {
                        Console.WriteLine(measured.Details);
                    }
                }
            }

            return 0;
        }
        catch (StorageException e)
        {
            await Console.Error.WriteLineAsync($"Storage failed during the benchmark: {e.Message}");
            return 1;
        }
        finally
        {
            azurite?.Dispose();
            try
            {
                if (Directory.Exists(temp))
                {
                    Directory.Delete(temp, recursive: true);
                }
            }
            catch (IOException)
            {
            }
        }
    }

    private static Backend OpenConnectionString(string label, string connectionString)
    {
        var account = StorageAccount.FromConnectionString(connectionString);
        return new Backend(label, account.Blobs, account.Queues);
    }

    private static async Task<Measurement> MeasureAsync(Backend backend, int n, CancellationToken cancellationToken)
    {
        // The raw floor is measured on at most FloorSample activities' worth of messages: the naive protocol is what
        // is slow here (40,000 operations for 10,000 activities), and its rate does not improve with size.
        var sample = Math.Min(n, FloorSample);
        var floor = await MeasureQueueFloorAsync(backend, sample, cancellationToken);
        var ours = await MeasureFanOutAsync(backend, n, DefaultPacking, cancellationToken);
        var unpacked = Math.Min(n, UnpackedSample);
        var single = await MeasureFanOutAsync(backend, unpacked, maxPerMessage: 1, cancellationToken);
        var prefix = $"durable.fanout.{backend.Label}.n{n}";
        var floorName = $"raw {backend.Label} queue floor, one message per call (2 sends + 2 deletes + 2/32 receives per activity)";
        var floorOps = (double)floor.Operations / sample;
        BenchResult[] results =
        [
            BenchResult.HigherIsBetter($"{prefix}.throughput", "activities/s", ours.ActivitiesPerSecond, floorName, floor.ActivitiesPerSecond),
            BenchResult.HigherIsBetter($"{prefix}.vs_published", "activities/s", ours.ActivitiesPerSecond, PublishedName, PublishedFanOutTarget),
            BenchResult.HigherIsBetter($"durable.fanout.{backend.Label}.n{unpacked}.one_call_per_message.throughput", "activities/s", single.ActivitiesPerSecond, floorName, floor.ActivitiesPerSecond),
            BenchResult.LowerIsBetter($"{prefix}.queue_ops_per_activity", "ops", ours.QueueOperations / (double)n, "the raw floor's queue operations per activity", floorOps),
            BenchResult.LowerIsBetter($"{prefix}.schedule_to_start_p50", "ms", ours.ScheduleToStartP50, $"raw {backend.Label} queue enqueue-to-dequeue p50 (backlog {sample})", floor.LatencyP50),
            BenchResult.LowerIsBetter($"{prefix}.schedule_to_start_p99", "ms", ours.ScheduleToStartP99, $"raw {backend.Label} queue enqueue-to-dequeue p99 (backlog {sample})", floor.LatencyP99),
            BenchResult.LowerIsBetter($"{prefix}.replay_events", "events", ours.EventsProcessed, "full replay every episode (no extended sessions), same episodes", ours.FullReplayEvents),
        ];
        var details = string.Create(
            CultureInfo.InvariantCulture,
            $"  {backend.Label} n={n}: {ours.Elapsed.TotalSeconds:F2} s end to end, {ours.Episodes} episodes, " +
            $"{ours.EventsProcessed / Math.Max(1.0, ours.Episodes):F1} history events applied per episode (max {ours.MaxEventsPerEpisode}), " +
            $"episode p50 {ours.EpisodeP50:F1} ms, {ours.EventsReplayed} replayed; queue ops {ours.QueueOperations} ({ours.QueueOperations / (double)n:F2}/activity), " +
            $"blob ops {ours.BlobOperations}. One call per message (n={unpacked}): {single.Elapsed.TotalSeconds:F2} s, {single.QueueOperations / (double)unpacked:F2} queue ops/activity. " +
            $"Floor: {floor.Elapsed.TotalSeconds:F1} s for {floor.Operations} queue operations ({sample} activities' worth).");
        return new Measurement(results, details);
    }

    /// <summary>
    /// What the queues alone can do for the traffic N activities need: N messages through two queues (send,
    /// receive in batches of 32, delete), with the same parallelism the runtime uses.
    /// </summary>
    private static async Task<FloorResult> MeasureQueueFloorAsync(Backend backend, int n, CancellationToken cancellationToken)
    {
        var queues = new[] { "bench-floor-a-" + Guid.NewGuid().ToString("N")[..8], "bench-floor-b-" + Guid.NewGuid().ToString("N")[..8] };
        var latencies = new ConcurrentBag<double>();
        var operations = 0L;
        foreach (var queue in queues)
        {
            await backend.Queues.CreateQueueAsync(queue, cancellationToken);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var queue in queues)
            {
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, n),
                    new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
                    async (i, ct) =>
                    {
                        await backend.Queues.SendAsync(queue, clock.Elapsed.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture), cancellationToken: ct);
                        Interlocked.Increment(ref operations);
                    });

                var remaining = n;
                var receivers = Enumerable.Range(0, 4).Select(async _ =>
                {
                    while (Volatile.Read(ref remaining) > 0)
                    {
                        var batch = await backend.Queues.ReceiveAsync(queue, 32, TimeSpan.FromMinutes(5), cancellationToken);
                        Interlocked.Increment(ref operations);
                        if (batch.Count == 0)
                        {
                            await Task.Delay(10, cancellationToken);
                            continue;
                        }

                        var now = clock.Elapsed.TotalMilliseconds;
                        foreach (var message in batch)
                        {
                            latencies.Add(now - double.Parse(message.Text, CultureInfo.InvariantCulture));
                        }

                        await Parallel.ForEachAsync(
                            batch,
                            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                            async (message, ct) =>
                            {
                                await backend.Queues.DeleteAsync(queue, message.MessageId, message.PopReceipt, ct);
                                Interlocked.Increment(ref operations);
                            });
                        Interlocked.Add(ref remaining, -batch.Count);
                    }
                }).ToArray();
                await Task.WhenAll(receivers);
            }

            clock.Stop();
        }
        finally
        {
            foreach (var queue in queues)
            {
                await backend.Queues.DeleteQueueAsync(queue, CancellationToken.None);
            }
        }

        var sorted = latencies.Order().ToArray();
        return new FloorResult(n / clock.Elapsed.TotalSeconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99), clock.Elapsed, operations);
    }

    private static async Task<FanOutResult> MeasureFanOutAsync(Backend backend, int n, int maxPerMessage, CancellationToken cancellationToken)
    {
        var hubName = "bench" + Guid.NewGuid().ToString("N")[..8];
        var services = new ServiceCollection();
        services.AddLogging();
        var counting = new CountingQueueStore(backend.Queues);
        var countingBlobs = new CountingBlobStore(backend.Blobs);
        services.AddSingleton<IBlobStore>(countingBlobs);
        services.AddSingleton<IQueueStore>(counting);
        services.AddDurableTask(o =>
            {
                o.HubName = hubName;
                o.PartitionCount = 4;
                o.MaxActivitiesPerMessage = maxPerMessage;
            })
            .AddActivity<int, int>("Noop", (_, i) => Task.FromResult(i))
            .AddOrchestrator<int, long>("FanOut", async (ctx, count) =>
            {
                var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => ctx.CallActivityAsync<int>("Noop", i)));
                return results.Sum(r => (long)r);
            })
            .AddWorker(w =>
            {
                w.MaxConcurrentActivities = 32;
                w.TaskQueues = ["default"];
            });

        var scheduleToStart = new ConcurrentBag<double>();
        var episodeMs = new ConcurrentBag<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "MiniGpt5.Durable" && instrument.Name is "durable.activity.schedule_to_start" or "durable.episode.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "hub" && (string?)tag.Value == hubName)
                {
                    (instrument.Name == "durable.episode.duration" ? episodeMs : scheduleToStart).Add(value);
                }
            }
        });
        listener.Start();

        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        var hub = provider.GetRequiredService<DurableTaskHub>();
        var client = provider.GetRequiredService<DurableClient>();
        try
        {
            foreach (var service in hosted)
            {
                await service.StartAsync(cancellationToken);
            }

            // Wait until the worker owns partitions, so the measurement is not the lease start-up.
            var worker = provider.GetRequiredService<DurableWorker>();
            while (worker.OwnedPartitions.Count < hub.PartitionCount)
            {
                await Task.Delay(20, cancellationToken);
            }

            counting.Reset();
            countingBlobs.Reset();
            var clock = Stopwatch.StartNew();
            var id = await client.ScheduleNewOrchestrationAsync("FanOut", n, cancellationToken: cancellationToken);
            var done = await client.WaitForInstanceCompletionAsync(id, cancellationToken: cancellationToken);
            clock.Stop();
            var queueOperations = counting.Total;
            var blobOperations = countingBlobs.Total;
            if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed || done.ReadOutputAs<long>() != (long)n * (n - 1) / 2)
            {
                throw new InvalidOperationException($"The fan-out ended {done.RuntimeStatus} with output {done.SerializedOutput}: {done.FailureDetails}");
            }

            var stats = hub.Statistics;
            var history = await client.GetHistoryAsync(id, done.ExecutionId, cancellationToken);
            long fullReplay = 0;
            long historyLength = 0;
            foreach (var checkpoint in history)
            {
                // Without a cache, each episode replays everything before it and then applies its own events.
                fullReplay += historyLength + checkpoint.Events.Count;
                historyLength += checkpoint.Events.Count;
            }

            listener.RecordObservableInstruments();
            var latencies = scheduleToStart.Order().ToArray();
            var episodes = episodeMs.Order().ToArray();
            return new FanOutResult(
                n / clock.Elapsed.TotalSeconds,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                stats.EventsApplied,
                stats.EventsReplayed,
                fullReplay,
                stats.Episodes,
                stats.MaxEventsPerEpisode,
                Percentile(episodes, 0.50),
                queueOperations,
                blobOperations,
                clock.Elapsed);
        }
        finally
        {
            foreach (var service in Enumerable.Reverse(hosted))
            {
                await service.StopAsync(CancellationToken.None);
            }

            await hub.DeleteAsync(CancellationToken.None);
            await hub.DeleteActivityQueueAsync("default", CancellationToken.None);
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private sealed record Backend(string Label, IBlobStore Blobs, IQueueStore Queues);

    private sealed record Measurement(BenchResult[] Results, string Details);

    private sealed record FloorResult(double ActivitiesPerSecond, double LatencyP50, double LatencyP99, TimeSpan Elapsed, long Operations);

    private sealed record FanOutResult(
        double ActivitiesPerSecond,
        double ScheduleToStartP50,
        double ScheduleToStartP99,
        long EventsProcessed,
        long EventsReplayed,
        long FullReplayEvents,
        long Episodes,
        long MaxEventsPerEpisode,
        double EpisodeP50,
        long QueueOperations,
        long BlobOperations,
        TimeSpan Elapsed);
}
