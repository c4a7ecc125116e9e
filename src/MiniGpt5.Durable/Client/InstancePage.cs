namespace MiniGpt5.Durable.Client;

/// <summary>One page of a query: the instances, and the token for the next page (null when done).</summary>
public sealed record InstancePage(IReadOnlyList<OrchestrationMetadata> Instances, string? ContinuationToken);
