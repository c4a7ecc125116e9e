using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// <c>POST /api/session</c> trades a valid <c>x-api-key</c> (checked by <see cref="ApiAuthenticationMiddleware"/>)
/// for the status page's session cookie, so a browser can follow links to books; <c>DELETE /api/session</c>
/// clears it. The cookie is HttpOnly, SameSite=Strict, Secure on HTTPS, and only ever authorises GET/HEAD.
/// </summary>
public static class ApiSessionEndpoints
{
    /// <summary>Maps the routes onto <paramref name="api"/> (the <c>/api</c> group).</summary>
    public static void Map(RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/session", Create).WithName("CreateSession");
        api.MapDelete("/session", Delete).WithMetadata(ApiAccessMetadata.Public).WithName("DeleteSession");
    }

    private static Microsoft.AspNetCore.Http.HttpResults.NoContent Create(HttpContext context, ApiSessionCookie sessions)
    {
        var key = context.Request.Headers[ApiAuthenticationMiddleware.ApiKeyHeader].ToString();
        if (key.Length > 0)
        {
            // The middleware has validated the key (or no keys are configured, and then the cookie is never needed).
            context.Response.Cookies.Append(ApiSessionCookie.Name, sessions.Issue(key), Options(context, ApiSessionCookie.Lifetime));
        }

        return TypedResults.NoContent();
    }

    private static Microsoft.AspNetCore.Http.HttpResults.NoContent Delete(HttpContext context)
    {
        context.Response.Cookies.Delete(ApiSessionCookie.Name, Options(context, TimeSpan.Zero));
        return TypedResults.NoContent();
    }

    private static CookieOptions Options(HttpContext context, TimeSpan maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = string.IsNullOrEmpty(context.Request.PathBase) ? "/" : context.Request.PathBase.ToString(),
        MaxAge = maxAge,
        IsEssential = true,
    };
}
