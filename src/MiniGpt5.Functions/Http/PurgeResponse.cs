namespace MiniGpt5.Functions.Http;

/// <summary>The answer to <c>DELETE /api/instances/{id}</c>.</summary>
/// <param name="InstancesDeleted">How many instances were purged (1).</param>
public sealed record PurgeResponse(int InstancesDeleted);
