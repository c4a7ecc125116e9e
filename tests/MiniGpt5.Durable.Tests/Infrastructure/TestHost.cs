using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MiniGpt5.Durable.Client;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;
using Xunit.Abstractions;

namespace MiniGpt5.Durable.Tests.Infrastructure;

/// <summary>
/// A worker (and client) on given stores, started like a real host (DI + hosted services) with test timings:
/// fast polling, 15 s partition leases renewed every second, 3 s activity visibility.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosted;
    private bool _stopped;

    private TestHost(ServiceProvider services, List<IHostedService> hosted)
    {
        _services = services;
        _hosted = hosted;
        Client = services.GetRequiredService<DurableClient>();
        Hub = services.GetRequiredService<DurableTaskHub>();
        Worker = services.GetService<DurableWorker>();
    }

    public DurableClient Client { get; }

    public DurableTaskHub Hub { get; }

    public DurableWorker? Worker { get; }

    public static void FastTimings(DurableTaskHubOptions o)
    {
        o.MinPollingInterval = TimeSpan.FromMilliseconds(10);
        o.MaxPollingInterval = TimeSpan.FromMilliseconds(250);
        o.PartitionLeaseDuration = TimeSpan.FromSeconds(15);
        o.PartitionLeaseRenewInterval = TimeSpan.FromSeconds(1);
        o.ActivityVisibilityTimeout = TimeSpan.FromSeconds(3);
        o.ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(20);
        o.StorageRetryDelay = TimeSpan.FromMilliseconds(20);
    }

    public static async Task<TestHost> StartAsync(
        IBlobStore blobs,
        IQueueStore queues,
        string hubName,
        Action<DurableTaskBuilder> register,
        ITestOutputHelper? output = null,
        Action<DurableTaskHubOptions>? configureHub = null,
        Action<DurableWorkerOptions>? configureWorker = null,
        bool withWorker = true,
        string logPrefix = "host")
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Debug);
            if (output is not null)
            {
                b.AddProvider(new XunitLoggerProvider(output, logPrefix));
            }
        });
        services.AddSingleton(blobs);
        services.AddSingleton(queues);
        services.AddSingleton(new Conformance.HostLabel(logPrefix));
        var builder = services.AddDurableTask(o =>
        {
            o.HubName = hubName;
            FastTimings(o);
            configureHub?.Invoke(o);
        });
        register(builder);
        if (withWorker)
        {
            builder.AddWorker(w =>
            {
                w.DrainTimeout = TimeSpan.FromSeconds(2);
                w.TaskQueues = ["default"];
                configureWorker?.Invoke(w);
            });
        }

        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        if (!withWorker)
        {
            await provider.GetRequiredService<DurableTaskHub>().EnsureCreatedAsync();
        }

        return new TestHost(provider, hosted);
    }

    /// <summary>Graceful stop (drain, hand back, release leases).</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        foreach (var service in Enumerable.Reverse(_hosted))
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
    }
}
