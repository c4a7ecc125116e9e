namespace MiniGpt5.Durable.Client;

/// <summary>
/// Filters and paging for <see cref="DurableClient.QueryInstancesAsync"/>. All filters are optional and combine
/// with AND. A page may hold fewer than <see cref="PageSize"/> instances while more remain: continue while the
/// returned continuation token is not null.
/// </summary>
public sealed record InstanceQuery
{
    /// <summary>Only instances in one of these statuses.</summary>
    public IReadOnlyCollection<OrchestrationRuntimeStatus>? RuntimeStatus { get; init; }

    /// <summary>Only instances of this orchestrator (case-insensitive).</summary>
    public string? Name { get; init; }

    /// <summary>Only instances created at or after this time (UTC).</summary>
    public DateTime? CreatedFrom { get; init; }

    /// <summary>Only instances created before this time (UTC).</summary>
    public DateTime? CreatedTo { get; init; }

    /// <summary>Only instance ids starting with this (the cheap filter: it narrows the storage listing).</summary>
    public string? InstanceIdPrefix { get; init; }

    /// <summary>Most instances per page, 1-1000. Default 100.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The previous page's continuation token, to get the next page.</summary>
    public string? ContinuationToken { get; init; }

    /// <summary>Also read inputs, outputs and custom status (one blob read per instance). Default false.</summary>
    public bool FetchInputsAndOutputs { get; init; }
}
