using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MiniGpt5.Functions.Http.OpenApi;
using MiniGpt5.Functions.Http.StatusPage;

namespace MiniGpt5.Functions.Http;

/// <summary>Puts the API together: middleware order and every route.</summary>
public static class HttpApiEndpointExtensions
{
    /// <summary>
    /// Adds the error handler, authentication and every route of the API to <paramref name="app"/>. Call after
    /// <see cref="HttpApiServiceCollectionExtensions.AddMiniGpt5HttpApi"/>.
    /// </summary>
    public static WebApplication UseMiniGpt5HttpApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseMiddleware<ApiAuthenticationMiddleware>();
        MapMiniGpt5HttpApi(app);
        return app;
    }

    /// <summary>Maps every route of the API (without middleware).</summary>
    public static void MapMiniGpt5HttpApi(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        HealthEndpoints.Map(endpoints);
        StatusPageEndpoints.Map(endpoints);
        OpenApiEndpoints.Map(endpoints);
        BookFileEndpoints.Map(endpoints);
        var api = endpoints.MapGroup("/api");
        InstanceEndpoints.Map(api);
        ApiSessionEndpoints.Map(api);
        ManuscriptEndpoints.Map(api);
        FunctionsTriggerEndpoints.Map(endpoints);
    }
}
