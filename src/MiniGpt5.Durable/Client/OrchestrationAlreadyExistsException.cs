namespace MiniGpt5.Durable.Client;

/// <summary>A start named an instance id that exists in a status that blocks a new start.</summary>
public sealed class OrchestrationAlreadyExistsException : Exception
{
    public OrchestrationAlreadyExistsException()
    {
    }

    public OrchestrationAlreadyExistsException(string message)
        : base(message)
    {
    }

    public OrchestrationAlreadyExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an instance in a status.</summary>
    public OrchestrationAlreadyExistsException(string instanceId, OrchestrationRuntimeStatus status)
        : base($"Orchestration instance '{instanceId}' already exists and is {status}; a new start with this id is refused.")
    {
        InstanceId = instanceId;
        Status = status;
    }

    /// <summary>The instance id.</summary>
    public string? InstanceId { get; }

    /// <summary>Its status.</summary>
    public OrchestrationRuntimeStatus Status { get; }
}
