using System.Collections.Concurrent;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>The orchestration side of a worker: partition leases, one processor per owned partition, the session cache.</summary>
internal sealed class OrchestrationDispatcher : IDisposable
{
    private readonly DurableTaskHub _hub;
    private readonly SessionCache _cache;
    private readonly EpisodeRunner _runner;
    private readonly PoisonHandler _poison;
    private readonly SemaphoreSlim _episodeSlots;
    private readonly int _bufferThreshold;
    private readonly TimeSpan _drainTimeout;
    private readonly ConcurrentDictionary<int, PartitionProcessor> _processors = new();
    private readonly PartitionManager _leases;

    public OrchestrationDispatcher(DurableTaskHub hub, DurableTaskRegistry registry, IServiceProvider services, Hosting.DurableWorkerOptions options, string workerId)
    {
        _hub = hub;
        _cache = new SessionCache(hub.Options.MaxCachedInstances, hub.Options.CachedInstanceIdleTimeout);
        _runner = new EpisodeRunner(hub, registry, services, _cache);
        _poison = new PoisonHandler(hub);
        _episodeSlots = new SemaphoreSlim(options.MaxConcurrentEpisodes);
        _bufferThreshold = options.ControlQueueBufferThreshold;
        _drainTimeout = options.DrainTimeout;
        _leases = new PartitionManager(hub, workerId, OnAcquiredAsync, OnReleasedAsync);
    }

    public IReadOnlyCollection<int> OwnedPartitions => _leases.Owned;

    public int InFlightEpisodes => _processors.Values.Sum(p => p.InFlightEpisodes);

    public int CachedInstances => _cache.Count;

    public void Start() => _leases.Start();

    public Task StopAsync() => _leases.StopAsync();

    public void Dispose()
    {
        _leases.Dispose();
        _episodeSlots.Dispose();
    }

    private Task OnAcquiredAsync(int partition)
    {
        var processor = new PartitionProcessor(_hub, partition, _runner, _poison, _episodeSlots, _bufferThreshold);
        _processors[partition] = processor;
        processor.Start();
        return Task.CompletedTask;
    }

    private async Task OnReleasedAsync(int partition, bool lost)
    {
        if (_processors.TryRemove(partition, out var processor))
        {
            await processor.StopAsync(lost ? TimeSpan.FromSeconds(5) : _drainTimeout);
            processor.Dispose();
        }

        _cache.RemoveWhere(id => _hub.PartitionOf(id) == partition);
    }
}
