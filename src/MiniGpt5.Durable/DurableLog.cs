using Microsoft.Extensions.Logging;

namespace MiniGpt5.Durable;

/// <summary>Every log line the runtime writes, as source-generated structured messages (instance id, partition, attempt...).</summary>
internal static partial class DurableLog
{
    [LoggerMessage(1, LogLevel.Warning, "Storage operation '{Operation}' failed transiently (try {Attempt} of {Attempts}); retrying in {DelayMs:F0} ms: {Error}")]
    public static partial void StorageRetry(ILogger logger, string operation, int attempt, int attempts, double delayMs, string error);

    [LoggerMessage(2, LogLevel.Information, "Worker {WorkerId} acquired partition {Partition}")]
    public static partial void PartitionAcquired(ILogger logger, string workerId, int partition);

    [LoggerMessage(3, LogLevel.Information, "Worker {WorkerId} released partition {Partition} ({Reason})")]
    public static partial void PartitionReleased(ILogger logger, string workerId, int partition, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Worker {WorkerId} lost partition {Partition}: {Error}")]
    public static partial void PartitionLost(ILogger logger, string workerId, int partition, string error);

    [LoggerMessage(5, LogLevel.Error, "Partition manager of worker {WorkerId} failed a round; retrying")]
    public static partial void PartitionManagerError(ILogger logger, Exception exception, string workerId);

    [LoggerMessage(10, LogLevel.Warning, "Checkpoint conflict for instance {InstanceId}: another worker committed first; abandoning the episode ({Error})")]
    public static partial void CheckpointConflict(ILogger logger, string instanceId, string error);

    [LoggerMessage(11, LogLevel.Error, "Episode for instance {InstanceId} failed; its {Count} messages will be retried")]
    public static partial void EpisodeFailed(ILogger logger, Exception exception, string instanceId, int count);

    [LoggerMessage(12, LogLevel.Error, "Instance {InstanceId} failed its determinism check: {Error}")]
    public static partial void NonDeterminism(ILogger logger, string instanceId, string error);

    [LoggerMessage(13, LogLevel.Warning, "Dropped a message for instance {InstanceId}: {Reason}")]
    public static partial void MessageDropped(ILogger logger, string instanceId, string reason);

    [LoggerMessage(14, LogLevel.Warning, "Status document of instance {InstanceId} now points at execution {Current}, not {Ours}; leaving it")]
    public static partial void StatusSuperseded(ILogger logger, string instanceId, string current, string ours);

    [LoggerMessage(15, LogLevel.Information, "Instance {InstanceId} loaded cold: resending {Count} outbound messages of an unconfirmed checkpoint")]
    public static partial void OutboxResend(ILogger logger, string instanceId, int count);

    [LoggerMessage(20, LogLevel.Error, "Message {MessageId} on {Queue} moved to the poison container as {PoisonBlob}: {Reason}")]
    public static partial void Poisoned(ILogger logger, string messageId, string queue, string poisonBlob, string reason);

    [LoggerMessage(21, LogLevel.Error, "Receiving from {Queue} failed")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(22, LogLevel.Warning, "Could not hand message {MessageId} back to {Queue}: {Error}")]
    public static partial void AbandonFailed(ILogger logger, string messageId, string queue, string error);

    [LoggerMessage(30, LogLevel.Warning, "Activity {Name} of instance {InstanceId} lost its message lease; another worker may run it")]
    public static partial void ActivityLeaseLost(ILogger logger, string name, string instanceId);

    [LoggerMessage(31, LogLevel.Information, "Activity {Name} of instance {InstanceId} cancelled: the instance is {Status}")]
    public static partial void ActivityCancelledByInstance(ILogger logger, string name, string instanceId, string status);

    [LoggerMessage(32, LogLevel.Error, "Activity {Name} of instance {InstanceId} could not report its result; the message will be redelivered")]
    public static partial void ActivityReportFailed(ILogger logger, Exception exception, string name, string instanceId);

    [LoggerMessage(33, LogLevel.Warning, "Heartbeat of activity {Name} (instance {InstanceId}) failed: {Error}")]
    public static partial void HeartbeatFailed(ILogger logger, string name, string instanceId, string error);

    [LoggerMessage(40, LogLevel.Information, "Durable worker {WorkerId} started on hub {Hub}: orchestrations {Orchestrations}, task queues [{TaskQueues}]")]
    public static partial void WorkerStarted(ILogger logger, string workerId, string hub, bool orchestrations, string taskQueues);

    [LoggerMessage(41, LogLevel.Information, "Durable worker {WorkerId} draining: {Activities} activities and {Episodes} episodes in flight")]
    public static partial void WorkerDraining(ILogger logger, string workerId, int activities, int episodes);

    [LoggerMessage(42, LogLevel.Information, "Durable worker {WorkerId} stopped")]
    public static partial void WorkerStopped(ILogger logger, string workerId);
}
