using System.CommandLine;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Settings;

namespace MiniGpt5.Cli.Commands.App;

/// <summary>
/// The options every app command shares (<c>--settings</c>, <c>--storage</c>, <c>--hub</c>) and how they override
/// <c>local.settings.json</c> and the environment.
/// </summary>
internal sealed class AppOptions
{
    public Option<string?> Settings { get; } = new("--settings")
    {
        Description = "A local.settings.json file (default: ./local.settings.json when present). Environment variables win over it.",
    };

    public Option<string?> Storage { get; } = new("--storage")
    {
        Description = "'local' (the embedded store in ./.minigpt5/store), 'local:<folder>', or a storage connection string. Default: AzureWebJobsStorage, else local.",
    };

    public Option<string?> Hub { get; } = new("--hub") { Description = "Task hub name. Default: MiniGpt5__TaskHub, else minigpt5." };

    public void AddTo(Command command)
    {
        command.Options.Add(Settings);
        command.Options.Add(Storage);
        command.Options.Add(Hub);
    }

    /// <summary>The settings with the command-line overrides applied. Throws <see cref="SettingsException"/>.</summary>
    public MiniGpt5Settings Load(ParseResult parse, string? model = null)
    {
        var configuration = AppSettingsLoader.BuildConfiguration(parse.GetValue(Settings));
        var settings = AppSettingsLoader.Load(configuration);
        if (parse.GetValue(Storage) is { } storage && !string.IsNullOrWhiteSpace(storage))
        {
            settings = settings with { Storage = storage.Trim() };
        }

        if (parse.GetValue(Hub) is { } hub && !string.IsNullOrWhiteSpace(hub))
        {
            settings = settings with { TaskHub = hub.Trim().ToLowerInvariant() };
        }

        if (!string.IsNullOrWhiteSpace(model))
        {
            settings = settings with { Model = model.Trim() };
        }

        return settings;
    }

    /// <summary>Writes an error line and returns exit code 2 (bad usage or input).</summary>
    public static async Task<int> BadInputAsync(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync($"error: {message}");
        return 2;
    }

    /// <summary>Starts a host, mapping setup problems to clear messages.</summary>
    public static Task<IllustrationHost> StartHostAsync(MiniGpt5Settings settings, IllustrationHostOptions options, CancellationToken cancellationToken) =>
        IllustrationHost.StartAsync(settings, AppStorage.Open(settings), options, cancellationToken);

    /// <summary>Starts a host on an account already opened.</summary>
    public static Task<IllustrationHost> StartHostAsync(MiniGpt5Settings settings, MiniGpt5.Storage.StorageAccount account, IllustrationHostOptions options, CancellationToken cancellationToken) =>
        IllustrationHost.StartAsync(settings, account, options, cancellationToken);
}
