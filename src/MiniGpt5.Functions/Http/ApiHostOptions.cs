using Microsoft.Extensions.Logging;

namespace MiniGpt5.Functions.Http;

/// <summary>What <see cref="ApiHost"/> runs besides the HTTP API, and where it listens.</summary>
public sealed record ApiHostOptions
{
    /// <summary>The address used when nothing else says where to listen.</summary>
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>Listen addresses from the command line (<c>--urls</c>); null defers to the environment.</summary>
    public IReadOnlyList<string>? Urls { get; init; }

    /// <summary>
    /// Run a durable worker in this process: the orchestration dispatcher and the activities of
    /// <c>MiniGpt5__TaskQueues</c>. False serves the API only (a separate process dispatches).
    /// </summary>
    public bool RunDispatcher { get; init; } = true;

    /// <summary>Poll the <c>manuscripts</c> container for uploads (off under the Functions host, whose queue trigger does it).</summary>
    public bool RunIngestion { get; init; } = true;

    /// <summary>Tick the dataset schedules (off under the Functions host, whose timer trigger does it).</summary>
    public bool RunSchedules { get; init; } = true;

    /// <summary>Accept Container Apps / App Service built-in authentication (<see cref="HttpApiOptions.TrustPlatformAuthentication"/>).</summary>
    public bool TrustPlatformAuthentication { get; init; }

    /// <summary>Replaces the console logging the host sets up (tests).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
