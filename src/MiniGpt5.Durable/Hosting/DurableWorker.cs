using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MiniGpt5.Durable.Dispatch;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Hosting;

/// <summary>
/// The worker as a hosted service: orchestration dispatch over the partitions it wins, and activity dispatch
/// for its task queues. On stop (SIGTERM, <c>StopAsync</c>) it drains: stops fetching, lets running work finish
/// within <see cref="DurableWorkerOptions.DrainTimeout"/>, hands unfinished messages back (visible at once, not
/// counted towards poisoning) and releases its partition leases so another worker takes over immediately.
/// </summary>
public sealed class DurableWorker : IHostedService, IDisposable
{
    private readonly DurableTaskHub _hub;
    private readonly DurableTaskRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly DurableWorkerOptions _options;
    private readonly List<ActivityDispatcher> _activities = [];
    private OrchestrationDispatcher? _orchestrations;

    /// <summary>Creates the worker (DI does this; see <c>AddWorker</c>).</summary>
    public DurableWorker(DurableTaskHub hub, DurableTaskRegistry registry, IServiceProvider services, IOptions<DurableWorkerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _hub = hub;
        _registry = registry;
        _services = services;
        _options = options.Value;
        _options.Validate();
        WorkerId = _options.WorkerId ?? $"{Sanitize(Environment.MachineName)}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>This worker's id.</summary>
    public string WorkerId { get; }

    /// <summary>Partitions this worker owns right now.</summary>
    public IReadOnlyCollection<int> OwnedPartitions => _orchestrations?.OwnedPartitions ?? [];

    /// <summary>Activities running in this worker right now.</summary>
    public int RunningActivities => _activities.Sum(a => a.InFlight);

    /// <summary>Creates the hub if needed and starts dispatching.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _hub.EnsureCreatedAsync(cancellationToken);
        if (_options.RunOrchestrations)
        {
            _orchestrations = new OrchestrationDispatcher(_hub, _registry, _services, _options, WorkerId);
            _orchestrations.Start();
        }

        var sender = new CompletionSender(_hub);
        var scopes = _services.GetRequiredService<IServiceScopeFactory>();
        foreach (var taskQueue in _options.TaskQueues.Distinct(StringComparer.Ordinal))
        {
            await _hub.EnsureActivityQueueAsync(taskQueue, cancellationToken);
            var dispatcher = new ActivityDispatcher(_hub, _registry, scopes, taskQueue, _options.ConcurrencyFor(taskQueue), sender);
            _activities.Add(dispatcher);
            dispatcher.Start();
        }

        DurableLog.WorkerStarted(_hub.Logger, WorkerId, _hub.Name, _options.RunOrchestrations, string.Join(", ", _options.TaskQueues));
    }

    /// <summary>Drains and stops (see the class summary).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        DurableLog.WorkerDraining(_hub.Logger, WorkerId, RunningActivities, _orchestrations?.InFlightEpisodes ?? 0);
        var stops = _activities.Select(a => a.StopAsync(_options.DrainTimeout)).ToList();
        if (_orchestrations is not null)
        {
            stops.Add(_orchestrations.StopAsync());
        }

        await Task.WhenAll(stops);
        DurableLog.WorkerStopped(_hub.Logger, WorkerId);
    }

    /// <summary>Releases the dispatchers' resources (call after <see cref="StopAsync"/>).</summary>
    public void Dispose()
    {
        foreach (var dispatcher in _activities)
        {
            dispatcher.Dispose();
        }

        _orchestrations?.Dispose();
    }

    private static string Sanitize(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        return new string(chars).Trim('-') is { Length: > 0 } s ? s : "worker";
    }
}
