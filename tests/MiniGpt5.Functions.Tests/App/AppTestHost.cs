using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>The app on a fresh local store in a temp folder, with a worker serving both queues and fast polling.</summary>
internal sealed class AppTestHost : IAsyncDisposable
{
    private AppTestHost(string root, IllustrationHost host)
    {
        Root = root;
        Host = host;
    }

    public string Root { get; }

    public IllustrationHost Host { get; }

    public DurableClient Client => Host.Client;

    public IBlobStore Blobs => Host.Account.Blobs;

    public static Task<AppTestHost> StartAsync(IIllustratorSource illustrator, MiniGpt5Settings? settings = null, string? root = null) =>
        StartAsync(new IllustrationHostOptions { Illustrator = illustrator }, settings, root);

    public static async Task<AppTestHost> StartAsync(IllustrationHostOptions options, MiniGpt5Settings? settings = null, string? root = null)
    {
        root ??= Path.Combine(Path.GetTempPath(), "minigpt5-app-" + Guid.NewGuid().ToString("N")[..12]);
        settings ??= new MiniGpt5Settings();
        settings = settings with
        {
            Storage = "local:" + root,
            PartitionCount = 2,
            StepRetrySeconds = 0.05,
            MaxConcurrentGpuActivities = 2,
            SchedulesPath = Path.Combine(root, "schedules"),
        };
        var host = await IllustrationHost.StartAsync(settings, StorageAccount.Local(root), options with
        {
            ConfigureHub = o =>
            {
                o.MinPollingInterval = TimeSpan.FromMilliseconds(10);
                o.MaxPollingInterval = TimeSpan.FromMilliseconds(200);
                o.StorageRetryDelay = TimeSpan.FromMilliseconds(20);
                options.ConfigureHub?.Invoke(o);
            },
            ConfigureWorker = w =>
            {
                w.DrainTimeout = TimeSpan.FromSeconds(2);
                options.ConfigureWorker?.Invoke(w);
            },
        });
        return new AppTestHost(root, host);
    }

    public async Task<OrchestrationMetadata> WaitAsync(string instanceId, int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var metadata = await Client.WaitForInstanceCompletionAsync(instanceId, cancellationToken: timeout.Token);
        return metadata;
    }

    public async Task<byte[]?> ReadBlobAsync(string container, string name)
    {
        try
        {
            await using var download = await Blobs.GetAsync(container, name);
            using var buffer = new MemoryStream();
            await download.Content.CopyToAsync(buffer);
            return buffer.ToArray();
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    public async Task<List<string>> ListAsync(string container, string prefix)
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await Blobs.ListPageAsync(container, new BlobListOptions(Prefix: prefix), token);
            names.AddRange(page.Blobs.Select(b => b.Name));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return names;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
