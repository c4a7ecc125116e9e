using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MiniGpt5.Functions.Tests.Http;

public sealed partial class OpenApiDocumentTests
{
    [Fact]
    public async Task Document_lists_exactly_the_routes_and_methods_the_app_maps()
    {
        await using var server = await ApiTestServer.StartAsync();
        using var response = await server.Client.GetAsync("openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("3.1.0", document.RootElement.GetProperty("openapi").GetString());

        var documented = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject())
            {
                documented.Add($"{method.Name.ToUpperInvariant()} {path.Name}");
                Assert.True(method.Value.TryGetProperty("operationId", out _), $"{method.Name} {path.Name} has no operationId");
                Assert.True(method.Value.TryGetProperty("responses", out _), $"{method.Name} {path.Name} has no responses");
            }
        }

        var mapped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + CatchAll().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), "{$1}");
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                if (method != "HEAD")
                {
                    mapped.Add($"{method} {pattern}");
                }
            }
        }

        Assert.True(mapped.SetEquals(documented),
            $"mapped but not documented: {string.Join(", ", mapped.Except(documented))}; documented but not mapped: {string.Join(", ", documented.Except(mapped))}");
    }

    [GeneratedRegex(@"\{\*\*?([A-Za-z]+)\}")]
    private static partial Regex CatchAll();
}
