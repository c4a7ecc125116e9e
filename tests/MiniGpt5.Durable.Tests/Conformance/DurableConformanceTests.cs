using MiniGpt5.Durable.Client;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Durable.Tests.Infrastructure;
using MiniGpt5.Storage;
using Xunit.Abstractions;

namespace MiniGpt5.Durable.Tests.Conformance;

/// <summary>
/// The behaviour every backend must show, written once: the local file-system stores and Azurite run the same
/// tests (see the two subclasses). Each test gets its own hub.
/// </summary>
public abstract partial class DurableConformanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<TestHost> _hosts = [];
    private IBlobStore? _blobs;
    private IQueueStore? _queues;

    protected ITestOutputHelper Output { get; } = output;

    protected string HubName { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    protected IBlobStore Blobs => _blobs ?? throw new InvalidOperationException("Stores not created.");

    protected IQueueStore Queues => _queues ?? throw new InvalidOperationException("Stores not created.");

    public virtual Task InitializeAsync()
    {
        (_blobs, _queues) = CreateStores();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await using var cleanup = await TestHost.StartAsync(Blobs, Queues, HubName, _ => { }, withWorker: false);
        await cleanup.Hub.DeleteAsync();
        foreach (var taskQueue in new[] { "default", "gpu" })
        {
            await cleanup.Hub.DeleteActivityQueueAsync(taskQueue);
        }
    }

    /// <summary>The backend's stores (called once per test; restarts reuse them).</summary>
    protected abstract (IBlobStore Blobs, IQueueStore Queues) CreateStores();

    protected async Task<TestHost> StartHostAsync(
        Action<DurableTaskHubOptions>? hub = null,
        Action<DurableWorkerOptions>? worker = null,
        bool withWorker = true,
        string name = "host",
        IQueueStore? queues = null)
    {
        var host = await TestHost.StartAsync(Blobs, queues ?? Queues, HubName, Scenarios.Register, Output, hub, worker, withWorker, name);
        _hosts.Add(host);
        return host;
    }

    protected static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Waits for <paramref name="condition"/> on the instance's status, polling.</summary>
    protected static async Task<OrchestrationMetadata> WaitForStatusAsync(DurableClient client, string instanceId, Func<OrchestrationMetadata, bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var status = await client.GetInstanceAsync(instanceId);
            if (status is not null && condition(status))
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Instance '{instanceId}' did not reach the expected state in {seconds} s; it is {status?.RuntimeStatus}.");
            }

            await Task.Delay(50);
        }
    }

    protected static async Task<OrchestrationMetadata> CompleteAsync(DurableClient client, string instanceId, int seconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            return await client.WaitForInstanceCompletionAsync(instanceId, cancellationToken: timeout.Token);
        }
        catch (OperationCanceledException)
        {
            var status = await client.GetInstanceAsync(instanceId);
            throw new TimeoutException($"Instance '{instanceId}' did not finish in {seconds} s; it is {status?.RuntimeStatus} (custom status {status?.SerializedCustomStatus}).");
        }
    }
}
