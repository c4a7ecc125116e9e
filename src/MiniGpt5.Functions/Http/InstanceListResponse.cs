namespace MiniGpt5.Functions.Http;

/// <summary>One page of <c>GET /api/instances</c>.</summary>
/// <param name="Instances">The instances on this page, in instance-id order.</param>
/// <param name="ContinuationToken">Pass as <c>continuation</c> for the next page; null on the last one.</param>
public sealed record InstanceListResponse(IReadOnlyList<InstanceStatusResponse> Instances, string? ContinuationToken);
