namespace MiniGpt5.Durable.Client;

/// <summary>What starting an instance id that already exists (and may not be replaced) does.</summary>
public enum DuplicateStartBehavior
{
    /// <summary>Throw <see cref="OrchestrationAlreadyExistsException"/>.</summary>
    Throw,

    /// <summary>Do nothing and return the id (idempotent start: safe to retry after a timeout).</summary>
    ReturnExisting,
}
