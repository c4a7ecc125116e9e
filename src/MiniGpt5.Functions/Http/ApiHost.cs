using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Schedules;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// The process behind <c>minigpt5 serve</c>: the HTTP API on Kestrel, the app's services
/// (<see cref="IllustrationRegistration.AddMiniGpt5App"/>), optionally the durable worker (orchestration dispatcher +
/// the activities of <c>MiniGpt5__TaskQueues</c>), the ingestion poller and the schedule ticker. Hosted services
/// start concurrently, so the port opens at once (the Functions host gives up after 60 s without it) while the
/// worker reaches storage; <c>/readyz</c> says when all of it is up.
/// </summary>
public static partial class ApiHost
{
    /// <summary>How long a stop waits for running work (episodes, activities) before abandoning it.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    // Room for multipart framing on top of the manuscript limit; every endpoint also enforces its own limit.
    private const long BodyOverheadBytes = 256 * 1024;

    /// <summary>
    /// Builds (does not start) the host. <paramref name="environment"/> reads environment variables (listen address,
    /// Functions custom-handler mode); the process environment by default.
    /// </summary>
    public static WebApplication Build(MiniGpt5Settings settings, StorageAccount account, ApiHostOptions? options = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(account);
        options ??= new ApiHostOptions();
        environment ??= Environment.GetEnvironmentVariable;
        var functionsHandler = ApiListenAddresses.IsFunctionsCustomHandler(environment);
        var urls = ApiListenAddresses.Resolve(options.Urls, environment);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        if (urls is not null)
        {
            builder.WebHost.UseUrls([.. urls]);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxManuscriptBytes + BodyOverheadBytes;
        });
        builder.Services.Configure<HostOptions>(host =>
        {
            host.ServicesStartConcurrently = true;
            host.ServicesStopConcurrently = true;
            host.ShutdownTimeout = ShutdownTimeout;
        });
        builder.Logging.ClearProviders();
        if (options.ConfigureLogging is not null)
        {
            options.ConfigureLogging(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.Services.AddMiniGpt5App(settings, account, options.RunDispatcher ? worker => worker.RunOrchestrations = true : null);
        builder.Services.AddMiniGpt5HttpApi(new HttpApiOptions
        {
            ApiKeys = settings.ApiKeys,
            MaxManuscriptBytes = settings.MaxManuscriptBytes,
            TrustPlatformAuthentication = options.TrustPlatformAuthentication,
            FunctionsCustomHandler = functionsHandler,
        });

        // Under the Functions host, its queue and timer triggers call /IngestManuscript and /RunSchedules instead.
        if (options.RunIngestion && !functionsHandler)
        {
            builder.Services.AddSingleton<IHostedService>(sp => new BackgroundLoopService(
                "ingestion", ct => sp.GetRequiredService<ManuscriptIngestion>().RunAsync(ct), sp.GetRequiredService<ILogger<BackgroundLoopService>>()));
        }

        if (options.RunSchedules && !functionsHandler)
        {
            builder.Services.AddSingleton<IHostedService>(sp => new BackgroundLoopService(
                "schedules", ct => sp.GetRequiredService<DatasetScheduler>().RunAsync(null, ct), sp.GetRequiredService<ILogger<BackgroundLoopService>>()));
        }

        var app = builder.Build();
        app.UseMiniGpt5HttpApi();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiHost));
        app.Lifetime.ApplicationStarted.Register(() => LogStarted(
            logger,
            string.Join(", ", app.Urls),
            account.Description,
            settings.TaskHub,
            options.RunDispatcher ? string.Join(",", settings.TaskQueues) : "none (API only)",
            functionsHandler ? "Azure Functions custom handler" : "standalone"));
        if (settings.ApiKeys.Count == 0 && !options.TrustPlatformAuthentication)
        {
            LogOpen(logger);
        }

        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving on {Urls}; storage: {Storage}; task hub: {Hub}; task queues: {Queues}; mode: {Mode}.")]
    private static partial void LogStarted(ILogger logger, string urls, string storage, string hub, string queues, string mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MiniGpt5__ApiKeys is empty: the API accepts requests from anyone who can reach it. Set keys (or platform authentication) before exposing it.")]
    private static partial void LogOpen(ILogger logger);
}
