namespace MiniGpt5.Durable.Client;

/// <summary>Which finished instances <see cref="DurableClient.PurgeInstancesAsync"/> deletes.</summary>
public sealed record PurgeInstancesFilter
{
    /// <summary>Only instances created at or after this time (UTC).</summary>
    public DateTime? CreatedFrom { get; init; }

    /// <summary>Only instances created before this time (UTC).</summary>
    public DateTime? CreatedTo { get; init; }

    /// <summary>Finished statuses to purge; default Completed, Failed and Terminated. Unfinished statuses are refused.</summary>
    public IReadOnlyCollection<OrchestrationRuntimeStatus>? RuntimeStatus { get; init; }

    /// <summary>Only instance ids starting with this.</summary>
    public string? InstanceIdPrefix { get; init; }
}
