using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using MiniGpt5.Cli.Commands.App;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Http;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Cli.Commands.Serve;

/// <summary>
/// `minigpt5 serve`: the API + orchestrator host (src/MiniGpt5.Functions/Http/ApiHost.cs). Settings come from
/// local.settings.json and the environment as on Azure Functions; flags override the few that differ per run.
/// Exit codes: 0 after a clean stop (Ctrl+C, SIGTERM), 1 when the host fails, 2 for bad settings.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var app = new AppOptions();
        var urls = new Option<string?>("--urls")
        {
            Description = "Addresses to listen on, separated by ';' (e.g. http://0.0.0.0:8080). Default: ASPNETCORE_URLS / " +
                $"ASPNETCORE_HTTP_PORTS, else {ApiHostOptions.DefaultUrl}. FUNCTIONS_CUSTOMHANDLER_PORT, when set, wins.",
        };
        var apiOnly = new Option<bool>("--api-only")
        {
            Description = "Serve the API without running orchestrations or activities here (another process dispatches).",
        };
        var noIngestion = new Option<bool>("--no-ingestion") { Description = "Do not poll the manuscripts container for uploads." };
        var noSchedules = new Option<bool>("--no-schedules") { Description = "Do not start scheduled dataset runs." };

        var command = new Command(
            "serve",
            "Run the HTTP API (/api/manuscripts, /api/instances, status page at /, /healthz, /readyz), the orchestration " +
            "dispatcher and the activities of MiniGpt5__TaskQueues, upload ingestion and schedules, until stopped.")
        {
            urls, apiOnly, noIngestion, noSchedules,
        };
        app.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse,
            app,
            new ApiHostOptions
            {
                Urls = parse.GetValue(urls)?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                RunDispatcher = !parse.GetValue(apiOnly),
                RunIngestion = !parse.GetValue(noIngestion),
                RunSchedules = !parse.GetValue(noSchedules),
            },
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, AppOptions app, ApiHostOptions options, CancellationToken cancellationToken)
    {
        var stderr = parse.InvocationConfiguration.Error;
        MiniGpt5Settings settings;
        StorageAccount account;
        try
        {
            settings = app.Load(parse);
            var configuration = AppSettingsLoader.BuildConfiguration(parse.GetValue(app.Settings));
            options = options with
            {
                TrustPlatformAuthentication = configuration.GetValue($"{AppSettingsLoader.Section}:TrustPlatformAuthentication", false),
            };
            account = AppStorage.Open(settings);
        }
        catch (Exception e) when (e is SettingsException or InvalidOperationException)
        {
            // InvalidOperationException: a TrustPlatformAuthentication value that is not true/false.
            return await AppOptions.BadInputAsync(stderr, e.Message);
        }

        try
        {
            await using var host = ApiHost.Build(settings, account, options);
            await host.StartAsync(cancellationToken);
            await host.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (SettingsException e)
        {
            return await AppOptions.BadInputAsync(stderr, e.Message);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or StorageException)
        {
            // Kestrel cannot bind (address in use), or storage refused the task hub.
            await stderr.WriteLineAsync($"error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
