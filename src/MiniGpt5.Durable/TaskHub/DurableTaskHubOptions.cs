using System.Text.Json;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// Settings of a task hub (storage layout, timings, limits). Every process that talks to one hub — clients and
/// workers — must agree on <see cref="HubName"/> and <see cref="PartitionCount"/>; the count is fixed when the
/// hub is created and checked on every start.
/// </summary>
public sealed class DurableTaskHubOptions
{
    /// <summary>Prefix of every container and queue: 3-30 lowercase letters, digits and hyphens.</summary>
    public string HubName { get; set; } = "minigpt5";

    /// <summary>Control queues (and so the most workers that share orchestration work). 1-32; fixed at creation.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>Receives (not counting graceful hand-backs) after which a message is moved to the poison container. Default 5.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a received control message stays hidden while its episode runs. Default 5 minutes.</summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a received activity message stays hidden; renewed every third of it while the activity runs, so a
    /// crashed worker's activity reappears after at most this long. Default 2 minutes.
    /// </summary>
    public TimeSpan ActivityVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Partition lease length (15-60 s, the blob lease limits). Default 30 s.</summary>
    public TimeSpan PartitionLeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often owned leases are renewed and partitions rebalanced. Default 10 s; must be well under the lease duration.</summary>
    public TimeSpan PartitionLeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Shortest wait between two polls of a queue that was empty. Default 50 ms.</summary>
    public TimeSpan MinPollingInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest wait between two polls of an idle queue (the back-off doubles up to here). Default 10 s.</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest single queue delay for a timer; longer timers are chained. Default 6 days (queues allow 7).</summary>
    public TimeSpan MaxTimerDelay { get; set; } = TimeSpan.FromDays(6);

    /// <summary>Payloads (inputs, outputs, events) larger than this many UTF-8 bytes are stored as blobs and passed by reference. Default 16 KiB.</summary>
    public int PayloadInlineLimitBytes { get; set; } = 16 * 1024;

    /// <summary>Largest append block a checkpoint writes at once (bigger checkpoints are split). Default 2 MiB (append blocks allow 4).</summary>
    public int HistoryBlockBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Orchestration states kept in memory between episodes, so warm episodes replay nothing. Default 1000; 0 disables the cache.</summary>
    public int MaxCachedInstances { get; set; } = 1000;

    /// <summary>A cached state unused for this long is dropped. Default 10 minutes.</summary>
    public TimeSpan CachedInstanceIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Tries of one storage operation that fails with a transient error (408/429/5xx, network). Default 6.</summary>
    public int StorageRetryAttempts { get; set; } = 6;

    /// <summary>First delay between storage retries (doubled each time, with jitter). Default 100 ms.</summary>
    public TimeSpan StorageRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Most activity calls one queue message carries. An episode that schedules a burst of N calls to one task
    /// queue packs them ceil(N / 64) to a message, at most this many: a fan-out of thousands costs a fraction of
    /// the queue operations, while a burst of 64 or fewer (typical GPU pages) stays one call per message so every
    /// worker gets a share. Default 16; 1 turns packing off.
    /// </summary>
    public int MaxActivitiesPerMessage { get; set; } = 16;

    /// <summary>Storage operations one episode or sender runs at once (sending fan-out messages, deleting). Default 32.</summary>
    public int MaxStorageConcurrency { get; set; } = 32;

    /// <summary>Serializer for user payloads; null uses <see cref="JsonSerializerDefaults.Web"/>.</summary>
    public JsonSerializerOptions? JsonSerializerOptions { get; set; }

    internal void Validate()
    {
        TaskHubNames.ValidateHubName(HubName);
        Check(PartitionCount is >= 1 and <= 32, nameof(PartitionCount), PartitionCount, "must be 1-32");
        Check(MaxDequeueCount >= 1, nameof(MaxDequeueCount), MaxDequeueCount, "must be at least 1");
        Check(ControlQueueVisibilityTimeout >= TimeSpan.FromSeconds(1), nameof(ControlQueueVisibilityTimeout), ControlQueueVisibilityTimeout, "must be at least 1 s");
        Check(ActivityVisibilityTimeout >= TimeSpan.FromSeconds(1), nameof(ActivityVisibilityTimeout), ActivityVisibilityTimeout, "must be at least 1 s");
        Check(
            PartitionLeaseDuration >= TimeSpan.FromSeconds(15) && PartitionLeaseDuration <= TimeSpan.FromSeconds(60),
            nameof(PartitionLeaseDuration),
            PartitionLeaseDuration,
            "must be 15-60 s (blob lease limits)");
        Check(
            PartitionLeaseRenewInterval > TimeSpan.Zero && PartitionLeaseRenewInterval * 2 < PartitionLeaseDuration,
            nameof(PartitionLeaseRenewInterval),
            PartitionLeaseRenewInterval,
            "must be positive and less than half the lease duration");
        Check(MinPollingInterval > TimeSpan.Zero && MaxPollingInterval >= MinPollingInterval, nameof(MaxPollingInterval), MaxPollingInterval, "must be at least MinPollingInterval (> 0)");
        Check(MaxTimerDelay >= TimeSpan.FromSeconds(1) && MaxTimerDelay <= TimeSpan.FromDays(7), nameof(MaxTimerDelay), MaxTimerDelay, "must be 1 s - 7 days");
        Check(PayloadInlineLimitBytes is >= 256 and <= 40 * 1024, nameof(PayloadInlineLimitBytes), PayloadInlineLimitBytes, "must be 256 B - 40 KiB (a queue message holds 48 KiB)");
        Check(HistoryBlockBytes is >= 64 * 1024 and <= 4 * 1024 * 1024, nameof(HistoryBlockBytes), HistoryBlockBytes, "must be 64 KiB - 4 MiB");
        Check(MaxCachedInstances >= 0, nameof(MaxCachedInstances), MaxCachedInstances, "must not be negative");
        Check(StorageRetryAttempts >= 1, nameof(StorageRetryAttempts), StorageRetryAttempts, "must be at least 1");
        Check(MaxActivitiesPerMessage is >= 1 and <= 64, nameof(MaxActivitiesPerMessage), MaxActivitiesPerMessage, "must be 1-64");
        Check(MaxStorageConcurrency >= 1, nameof(MaxStorageConcurrency), MaxStorageConcurrency, "must be at least 1");
    }

    private static void Check(bool ok, string name, object value, string rule)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"DurableTaskHubOptions.{name} = {value} {rule}.");
        }
    }
}
