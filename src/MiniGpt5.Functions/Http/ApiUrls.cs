using Microsoft.AspNetCore.Http;

namespace MiniGpt5.Functions.Http;

/// <summary>Absolute URLs of the API's resources, built from the request (scheme, host, path base).</summary>
public static class ApiUrls
{
    /// <summary><c>{scheme}://{host}{pathBase}</c> of <paramref name="request"/>.</summary>
    public static string Base(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host}{request.PathBase}";
    }

    /// <summary>The status URL of an instance.</summary>
    public static string Instance(HttpRequest request, string instanceId) =>
        $"{Base(request)}/api/instances/{Uri.EscapeDataString(instanceId)}";

    /// <summary>The URL of a file of a book (<c>/books/{manuscriptId}/{path}</c>).</summary>
    public static string BookFile(HttpRequest request, string manuscriptId, string path = "index.html") =>
        $"{Base(request)}/books/{Uri.EscapeDataString(manuscriptId)}/{path}";

    /// <summary>The management links of one instance, as Durable Functions' HTTP API returns them.</summary>
    public static InstanceLinks Links(HttpRequest request, string instanceId)
    {
        var status = Instance(request, instanceId);
        return new InstanceLinks(
            instanceId,
            status,
            $"{status}/raiseEvent/{{eventName}}",
            $"{status}/terminate?reason={{text}}",
            $"{status}/suspend?reason={{text}}",
            $"{status}/resume?reason={{text}}",
            status);
    }
}
