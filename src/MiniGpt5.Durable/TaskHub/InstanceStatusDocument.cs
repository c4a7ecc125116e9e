namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// The read model of one instance (blob <c>{hub}-instances/{instanceId}</c>), written with ETag concurrency.
/// It is derivable from history: a worker that loads an instance cold recomputes it and repairs it.
/// <see cref="ExecutionId"/> is also the pointer to the current execution's history blob, and
/// <see cref="Checkpoint"/> says up to which checkpoint the outbound messages are known to be sent.
/// </summary>
internal sealed record InstanceStatusDocument
{
    public required string InstanceId { get; init; }

    public required string Name { get; init; }

    public string Version { get; init; } = string.Empty;

    public required string ExecutionId { get; init; }

    public OrchestrationRuntimeStatus Status { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime LastUpdatedAt { get; init; }

    public DateTime? CompletedAt { get; init; }

    public DateTime? ScheduledStartAt { get; init; }

    public string? Input { get; init; }

    public string? Output { get; init; }

    public string? CustomStatus { get; init; }

    public FailureDetails? Failure { get; init; }

    public ParentOrchestrationInfo? Parent { get; init; }

    /// <summary>Last checkpoint of <see cref="ExecutionId"/> whose outbound messages were all sent.</summary>
    public int Checkpoint { get; init; }

    /// <summary>Events in the current execution's history.</summary>
    public int HistoryEvents { get; init; }

    /// <summary>Executions so far (ContinueAsNew generations), starting at 1.</summary>
    public int Generation { get; init; } = 1;
}
