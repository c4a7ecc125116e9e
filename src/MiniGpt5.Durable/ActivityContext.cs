namespace MiniGpt5.Durable;

/// <summary>What an activity knows about the call it serves.</summary>
public abstract class ActivityContext
{
    /// <summary>The activity's registered name.</summary>
    public abstract string Name { get; }

    /// <summary>The orchestration instance that scheduled this call.</summary>
    public abstract string InstanceId { get; }

    /// <summary>The execution (generation) of that instance; ContinueAsNew starts a new one.</summary>
    public abstract string ExecutionId { get; }

    /// <summary>The sequence number of the scheduling step in the orchestration's history.</summary>
    public abstract int TaskId { get; }

    /// <summary>1 for the first try; retry policies count up from there.</summary>
    public abstract int Attempt { get; }

    /// <summary>The task queue this call was sent to (for example <c>default</c> or <c>gpu</c>).</summary>
    public abstract string TaskQueue { get; }

    /// <summary>When the orchestration sent the call (UTC).</summary>
    public abstract DateTimeOffset ScheduledAt { get; }

    /// <summary>
    /// Fires when the instance is terminated, the worker shuts down, or the message lease (queue visibility)
    /// was lost to another worker. The runtime renews the lease while the activity runs.
    /// </summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>
    /// A key that is the same every time this scheduled call is delivered (redeliveries after a crash,
    /// duplicates) and different for each retry attempt: <c>{instanceId}/{executionId}/{taskId}</c>.
    /// Usable as a blob-name prefix for create-only outputs.
    /// </summary>
    public string IdempotencyKey => $"{InstanceId}/{ExecutionId}/{TaskId}";
}
