namespace MiniGpt5.Durable.Replay;

/// <summary>A step the orchestrator code asked for; new ones become history events and outbound messages.</summary>
internal abstract record OrchestratorAction(int Sequence)
{
    /// <summary>How a determinism error names this step, for example <c>activity 'Resize'</c>.</summary>
    public abstract string Describe();
}

internal sealed record ScheduleActivityAction(int Sequence, string Name, string? Input, string TaskQueue, int Attempt) : OrchestratorAction(Sequence)
{
    public override string Describe() => $"activity '{Name}'";
}

internal sealed record CreateTimerAction(int Sequence, DateTime FireAt) : OrchestratorAction(Sequence)
{
    public override string Describe() => "a timer";
}

internal sealed record StartSubOrchestrationAction(int Sequence, string Name, string Version, string InstanceId, string ExecutionId, string? Input)
    : OrchestratorAction(Sequence)
{
    public override string Describe() => $"sub-orchestration '{Name}'";
}

internal sealed record SendEventAction(int Sequence, string InstanceId, string Name, string? Input) : OrchestratorAction(Sequence)
{
    public override string Describe() => $"event '{Name}' sent to '{InstanceId}'";
}

/// <summary>How an execution ended.</summary>
internal sealed record OrchestrationCompletion(
    OrchestrationRuntimeStatus Status,
    string? Output,
    FailureDetails? Failure,
    IReadOnlyList<History.EventRaisedEvent> CarriedEvents);
