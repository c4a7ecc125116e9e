using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MiniGpt5.Durable.Client;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Schedules;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Hosting;

/// <summary>
/// The app in one process without a generic host: the CLI's <c>illustrate</c>, <c>worker</c>, <c>status</c>,
/// <c>cancel</c> and <c>dataset run</c>, and the tests. Starts the durable worker (when asked) and hands out the
/// client, submitter, ingestion and scheduler. Dispose stops the worker gracefully (running steps finish or are
/// handed back).
/// </summary>
public sealed class IllustrationHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosted;
    private bool _stopped;

    private IllustrationHost(ServiceProvider services, List<IHostedService> hosted, MiniGpt5Settings settings, StorageAccount account)
    {
        _services = services;
        _hosted = hosted;
        Settings = settings;
        Account = account;
    }

    /// <summary>The settings.</summary>
    public MiniGpt5Settings Settings { get; }

    /// <summary>The storage account.</summary>
    public StorageAccount Account { get; }

    /// <summary>The service provider.</summary>
    public IServiceProvider Services => _services;

    /// <summary>The task hub client.</summary>
    public DurableClient Client => _services.GetRequiredService<DurableClient>();

    /// <summary>The submitter.</summary>
    public ManuscriptSubmitter Submitter => _services.GetRequiredService<ManuscriptSubmitter>();

    /// <summary>Blob ingestion.</summary>
    public ManuscriptIngestion Ingestion => _services.GetRequiredService<ManuscriptIngestion>();

    /// <summary>Dataset schedules.</summary>
    public DatasetScheduler Scheduler => _services.GetRequiredService<DatasetScheduler>();

    /// <summary>The worker, when this host runs one.</summary>
    public DurableWorker? Worker => _services.GetService<DurableWorker>();

    /// <summary>Builds the services and starts the worker.</summary>
    public static async Task<IllustrationHost> StartAsync(MiniGpt5Settings settings, StorageAccount account, IllustrationHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(account);
        options ??= new IllustrationHostOptions();
        var services = new ServiceCollection();
        services.AddLogging(b => options.ConfigureLogging?.Invoke(b));
        if (options.Illustrator is not null)
        {
            services.AddSingleton(options.Illustrator);
        }

        services.AddMiniGpt5App(settings, account, options.RunWorker ? w =>
        {
            w.RunOrchestrations = options.RunOrchestrations;
            options.ConfigureWorker?.Invoke(w);
        } : null);
        if (options.ConfigureHub is not null)
        {
            services.Configure(options.ConfigureHub);
        }

        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        var host = new IllustrationHost(provider, hosted, settings, account);
        try
        {
            await provider.GetRequiredService<DurableTaskHub>().EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            foreach (var service in hosted)
            {
                await service.StartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return host;
    }

    /// <summary>Stops the worker gracefully.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        foreach (var service in Enumerable.Reverse(_hosted))
        {
            await service.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _services.DisposeAsync().ConfigureAwait(false);
    }
}
