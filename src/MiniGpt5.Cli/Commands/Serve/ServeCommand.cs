using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
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
    /// <summary>Where <c>--storage local</c> keeps its files, relative to the current directory.</summary>
    public static readonly string DefaultLocalStorage = Path.Combine(".minigpt5", "storage");

    public static Command Create()
    {
        var storage = new Option<string?>("--storage")
        {
            Description = "'local' (files under ./.minigpt5/storage), 'local:<folder>', or a connection string " +
                "(UseDevelopmentStorage=true for Azurite). Default: the AzureWebJobsStorage setting, else local.",
        };
        var urls = new Option<string?>("--urls")
        {
            Description = "Addresses to listen on, separated by ';' (e.g. http://0.0.0.0:8080). Default: ASPNETCORE_URLS / " +
                $"ASPNETCORE_HTTP_PORTS, else {ApiHostOptions.DefaultUrl}. FUNCTIONS_CUSTOMHANDLER_PORT, when set, wins.",
        };
        var settingsFile = new Option<string?>("--settings")
        {
            Description = "A local.settings.json file (Azure Functions shape). Default: ./local.settings.json when it exists.",
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
            storage, urls, settingsFile, apiOnly, noIngestion, noSchedules,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(storage),
            parse.GetValue(urls),
            parse.GetValue(settingsFile),
            new ApiHostOptions
            {
                RunDispatcher = !parse.GetValue(apiOnly),
                RunIngestion = !parse.GetValue(noIngestion),
                RunSchedules = !parse.GetValue(noSchedules),
            },
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? storage, string? urls, string? settingsFile, ApiHostOptions options, CancellationToken cancellationToken)
    {
        MiniGpt5Settings settings;
        StorageAccount account;
        try
        {
            var configuration = AppSettingsLoader.BuildConfiguration(settingsFile);
            settings = AppSettingsLoader.Load(configuration);
            if (!string.IsNullOrWhiteSpace(storage))
            {
                settings = settings with { Storage = storage };
            }

            options = options with
            {
                Urls = urls?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                TrustPlatformAuthentication = configuration.GetValue($"{AppSettingsLoader.Section}:TrustPlatformAuthentication", false),
            };
            account = StorageAccount.FromSetting(settings.Storage, Path.GetFullPath(DefaultLocalStorage));
        }
        catch (Exception e) when (e is SettingsException or StorageException or FormatException or InvalidOperationException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"minigpt5 serve: {e.Message}");
            return 2;
        }

        try
        {
            await using var app = ApiHost.Build(settings, account, options);
            await app.StartAsync(cancellationToken);
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (SettingsException e)
        {
            await Console.Error.WriteLineAsync($"minigpt5 serve: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or StorageException)
        {
            // Kestrel cannot bind (address in use), or storage refused the task hub.
            await Console.Error.WriteLineAsync($"minigpt5 serve: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
