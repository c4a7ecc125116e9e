namespace MiniGpt5.Durable.Client;

/// <summary>Options for scheduling an orchestration.</summary>
public sealed record StartOrchestrationOptions
{
    /// <summary>The instance id; null makes a new GUID. 1-256 characters, none of <c>/ \ # ?</c> or control characters.</summary>
    public string? InstanceId { get; init; }

    /// <summary>The workflow version stamped on the instance; null uses the orchestrator's registered version.</summary>
    public string? Version { get; init; }

    /// <summary>Do not start the code before this time (UTC); the instance is Pending until then.</summary>
    public DateTime? StartAt { get; init; }

    /// <summary>
    /// Finished statuses (Completed, Failed, Terminated) in which an existing instance blocks a new start with the
    /// same id. An instance that is not finished (Pending, Running, Suspended) always blocks. Default: none, so a
    /// finished instance is replaced by a new execution.
    /// </summary>
    public IReadOnlyCollection<OrchestrationRuntimeStatus> DedupeStatuses { get; init; } = [];

    /// <summary>What a blocked start does. Default <see cref="DuplicateStartBehavior.Throw"/>.</summary>
    public DuplicateStartBehavior IfDuplicate { get; init; } = DuplicateStartBehavior.Throw;
}
