using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// Enforces each endpoint's <see cref="ApiAccess"/> after routing. Accepted credentials, in order: the
/// <c>x-api-key</c> header (constant-time compare), the status page's session cookie on GET/HEAD, and, when
/// <see cref="HttpApiOptions.TrustPlatformAuthentication"/> is on, the platform's <c>X-MS-CLIENT-PRINCIPAL-ID</c>.
/// With nothing configured the API is open. Failures are 401 problem details naming the header to send.
/// </summary>
public sealed class ApiAuthenticationMiddleware
{
    /// <summary>The header clients put their key in.</summary>
    public const string ApiKeyHeader = "x-api-key";

    /// <summary>The header Container Apps / App Service built-in authentication adds for a signed-in caller.</summary>
    public const string PlatformPrincipalHeader = "X-MS-CLIENT-PRINCIPAL-ID";

    private readonly RequestDelegate _next;
    private readonly HttpApiOptions _options;
    private readonly ApiKeyValidator _keys;
    private readonly ApiSessionCookie _sessions;

    /// <summary>Creates the middleware.</summary>
    public ApiAuthenticationMiddleware(RequestDelegate next, IOptions<HttpApiOptions> options, ApiKeyValidator keys, ApiSessionCookie sessions)
    {
        ArgumentNullException.ThrowIfNull(options);
        _next = next;
        _options = options.Value;
        _keys = keys;
        _sessions = sessions;
    }

    /// <summary>Lets the request through or answers 401.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var access = context.GetEndpoint()?.Metadata.GetMetadata<ApiAccessMetadata>()?.Access ?? ApiAccess.Authenticated;
        if (access == ApiAccess.Public
            || (access == ApiAccess.FunctionsTrigger && _options.FunctionsCustomHandler)
            || !_options.RequiresAuthentication
            || IsAuthenticated(context.Request))
        {
            await _next(context);
            return;
        }

        context.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeyHeader}\"";
        var detail = context.Request.Headers.ContainsKey(ApiKeyHeader)
            ? $"The key in the '{ApiKeyHeader}' header is not valid."
            : $"Send an API key in the '{ApiKeyHeader}' header.";
        await ApiProblems.Unauthorized(detail).ExecuteAsync(context);
    }

    private bool IsAuthenticated(HttpRequest request)
    {
        if (request.Headers.TryGetValue(ApiKeyHeader, out var key) && _keys.IsValid(key.ToString()))
        {
            return true;
        }

        if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && _sessions.IsValid(request.Cookies[ApiSessionCookie.Name]))
        {
            return true;
        }

        return _options.TrustPlatformAuthentication
            && !string.IsNullOrWhiteSpace(request.Headers[PlatformPrincipalHeader].ToString());
    }
}
