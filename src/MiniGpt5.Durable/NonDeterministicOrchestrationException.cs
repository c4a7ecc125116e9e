namespace MiniGpt5.Durable;

/// <summary>
/// The orchestrator's code no longer matches its recorded history (usually: the code changed while instances
/// were in flight). The instance is failed with this error; the message names the mismatching step — its
/// sequence number, what the history recorded and what the code did now. Branch on
/// <see cref="OrchestrationContext.Version"/> to change code safely.
/// </summary>
public sealed class NonDeterministicOrchestrationException : Exception
{
    public NonDeterministicOrchestrationException()
        : base("The orchestration's code does not match its history.")
    {
    }

    public NonDeterministicOrchestrationException(string message)
        : base(message)
    {
    }

    public NonDeterministicOrchestrationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one mismatching step.</summary>
    /// <param name="instanceId">The instance being replayed.</param>
    /// <param name="orchestratorName">Its orchestrator.</param>
    /// <param name="sequenceNumber">The step's sequence number.</param>
    /// <param name="expected">What the history recorded at that step (for example <c>activity 'Resize'</c>), or null if nothing.</param>
    /// <param name="actual">What the code did at that step now, or null if nothing.</param>
    public NonDeterministicOrchestrationException(string instanceId, string orchestratorName, int sequenceNumber, string? expected, string? actual)
        : base(
            $"Non-deterministic orchestration '{orchestratorName}' (instance '{instanceId}') at sequence number {sequenceNumber}: " +
            $"the history recorded {expected ?? "nothing"}, but the code now schedules {actual ?? "nothing"}. " +
            "Was the orchestrator changed while this instance was running? Branch on context.Version to change code safely.")
    {
        InstanceId = instanceId;
        OrchestratorName = orchestratorName;
        SequenceNumber = sequenceNumber;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The instance that failed.</summary>
    public string? InstanceId { get; }

    /// <summary>Its orchestrator name.</summary>
    public string? OrchestratorName { get; }

    /// <summary>The mismatching step's sequence number.</summary>
    public int SequenceNumber { get; }

    /// <summary>What the history recorded at that step.</summary>
    public string? Expected { get; }

    /// <summary>What the code did at that step.</summary>
    public string? Actual { get; }
}
