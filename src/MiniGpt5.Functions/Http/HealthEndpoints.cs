using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// The probes the deployment relies on (infra/README.md): <c>GET /healthz</c> (liveness: the process serves
/// HTTP, no storage call) and <c>GET /readyz</c> (readiness: host started and storage reachable; 503 otherwise).
/// Both are unauthenticated.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Maps the probes.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], () => TypedResults.Ok(new { status = "ok" }))
            .WithMetadata(ApiAccessMetadata.Public)
            .WithName("Healthz");
        endpoints.MapMethods("/readyz", [HttpMethods.Get, HttpMethods.Head], ReadyAsync)
            .WithMetadata(ApiAccessMetadata.Public)
            .WithName("Readyz");
    }

    private static async Task<IResult> ReadyAsync(StorageReadinessProbe probe, CancellationToken cancellationToken)
    {
        var report = await probe.CheckAsync(cancellationToken);
        return report.IsReady
            ? TypedResults.Ok(new { status = "ready" })
            : ApiProblems.Unavailable(report.Reason ?? "Not ready.");
    }
}
