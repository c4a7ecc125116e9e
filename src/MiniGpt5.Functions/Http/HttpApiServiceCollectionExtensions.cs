using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MiniGpt5.Functions.Http;

/// <summary>Registers what the HTTP API needs besides the durable client and the stores (which the host adds).</summary>
public static class HttpApiServiceCollectionExtensions
{
    /// <summary>Adds the API's options, authentication, readiness probe, problem details and JSON settings.</summary>
    public static IServiceCollection AddMiniGpt5HttpApi(this IServiceCollection services, HttpApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxManuscriptBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxManuscriptBytes, "MiniGpt5__MaxManuscriptBytes must be at least 1.");
        }

        services.AddSingleton(Options.Create(options));
        services.AddSingleton(new ApiKeyValidator(options.ApiKeys));
        services.AddSingleton(new ApiSessionCookie(options.ApiKeys));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StorageReadinessProbe>();
        services.AddProblemDetails();
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        return services;
    }
}
