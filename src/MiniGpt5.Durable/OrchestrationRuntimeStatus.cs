namespace MiniGpt5.Durable;

/// <summary>Where an orchestration instance stands.</summary>
public enum OrchestrationRuntimeStatus
{
    /// <summary>Scheduled; its code has not started yet (or its start time is in the future).</summary>
    Pending,

    /// <summary>Started and not finished.</summary>
    Running,

    /// <summary>Returned a result.</summary>
    Completed,

    /// <summary>Threw, or failed a determinism check.</summary>
    Failed,

    /// <summary>Stopped by a terminate request.</summary>
    Terminated,

    /// <summary>Paused by a suspend request; events wait until it is resumed.</summary>
    Suspended,

    /// <summary>An execution that restarted itself with ContinueAsNew (seen only between generations).</summary>
    ContinuedAsNew,
}

/// <summary>Helpers on <see cref="OrchestrationRuntimeStatus"/>.</summary>
public static class OrchestrationRuntimeStatusExtensions
{
    /// <summary>Completed, Failed or Terminated: nothing will change any more.</summary>
    public static bool IsTerminal(this OrchestrationRuntimeStatus status) =>
        status is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
}
