namespace MiniGpt5.Durable;

/// <summary>Options for one sub-orchestration call.</summary>
public sealed record SubOrchestrationOptions
{
    /// <summary>
    /// The child's instance id. Null derives one deterministically from the parent (<c>{parent}:{sequence}</c>),
    /// so replays and retries address the same child.
    /// </summary>
    public string? InstanceId { get; init; }

    /// <summary>The child's workflow version; null uses the child orchestrator's registered version.</summary>
    public string? Version { get; init; }

    /// <summary>Retry policy; each retry starts a new execution of the same child instance.</summary>
    public RetryPolicy? Retry { get; init; }
}
