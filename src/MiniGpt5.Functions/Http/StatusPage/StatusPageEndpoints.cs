using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MiniGpt5.Functions.Http.StatusPage;

/// <summary>
/// <c>GET /</c> and <c>GET /status</c>: one self-contained page (inline CSS and script, no external requests)
/// that lists instances with live progress by polling <c>/api/instances?details=true</c>, and links to the books.
/// The shell holds no data, so it is public; the data calls it makes are authenticated (API key exchanged for a
/// session cookie when keys are configured). Served with a content security policy that allows exactly its own
/// inline script and style, by hash.
/// </summary>
public static partial class StatusPageEndpoints
{
    private static readonly Lazy<StatusPageDocument> Document = new(StatusPageDocument.Load);

    /// <summary>Maps the page.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], Serve).WithMetadata(ApiAccessMetadata.Public).WithName("StatusPage");
        endpoints.MapMethods("/status", [HttpMethods.Get, HttpMethods.Head], Serve).WithMetadata(ApiAccessMetadata.Public).WithName("StatusPageAlias");
    }

    /// <summary>The page's HTML as served under <paramref name="pathBase"/>.</summary>
    public static string Html(string pathBase) => Document.Value.Render(pathBase);

    /// <summary>The content security policy the page is served with.</summary>
    public static string ContentSecurityPolicy => Document.Value.ContentSecurityPolicy;

    private static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Serve(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Document.Value.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-cache";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content(Document.Value.Render(context.Request.PathBase), "text/html; charset=utf-8");
    }

    private sealed partial class StatusPageDocument(string html, string contentSecurityPolicy)
    {
        public string ContentSecurityPolicy { get; } = contentSecurityPolicy;

        public static StatusPageDocument Load()
        {
            var assembly = typeof(StatusPageEndpoints).Assembly;
            using var stream = assembly.GetManifestResourceStream("MiniGpt5.Functions.Http.StatusPage.status.html")
                ?? throw new InvalidOperationException("The status page resource 'MiniGpt5.Functions.Http.StatusPage.status.html' is missing from the assembly.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var html = reader.ReadToEnd();
            var script = Hash(ScriptPattern().Match(html));
            var style = Hash(StylePattern().Match(html));
            var csp = $"default-src 'none'; script-src '{script}'; style-src '{style}'; connect-src 'self'; img-src 'self' data:; " +
                "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
            return new StatusPageDocument(html, csp);
        }

        public string Render(string pathBase) =>
            html.Replace("<html lang=\"en\">", $"<html lang=\"en\" data-base=\"{WebUtility.HtmlEncode(pathBase.TrimEnd('/'))}\">", StringComparison.Ordinal);

        private static string Hash(Match match)
        {
            if (!match.Success)
            {
                throw new InvalidOperationException("The status page must have exactly one inline <script> and one <style>.");
            }

            return "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(match.Groups[1].Value)));
        }

        [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
        private static partial Regex ScriptPattern();

        [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
        private static partial Regex StylePattern();
    }
}
