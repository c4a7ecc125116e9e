using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MiniGpt5.Functions.Http.OpenApi;

/// <summary>
/// <c>GET /openapi.json</c>: the API's OpenAPI 3.1 document. Written by hand (Microsoft.AspNetCore.OpenApi does not
/// restore cleanly for this build), and kept honest by a test that compares its paths and methods with the
/// routes the app actually maps.
/// </summary>
public static class OpenApiEndpoints
{
    private static readonly Lazy<byte[]> DocumentBytes = new(Load);

    /// <summary>The document's bytes.</summary>
    public static ReadOnlyMemory<byte> Document => DocumentBytes.Value;

    /// <summary>Maps the route.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/openapi.json", () => TypedResults.Bytes(DocumentBytes.Value, "application/json"))
            .WithMetadata(ApiAccessMetadata.Public)
            .WithName("OpenApiDocument");
    }

    private static byte[] Load()
    {
        using var stream = typeof(OpenApiEndpoints).Assembly.GetManifestResourceStream("MiniGpt5.Functions.Http.OpenApi.openapi.json")
            ?? throw new InvalidOperationException("The resource 'MiniGpt5.Functions.Http.OpenApi.openapi.json' is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
