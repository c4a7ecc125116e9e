using System.Diagnostics.Metrics;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// Runtime counters: kept as plain numbers (<see cref="Snapshot"/>) and published on the
/// <c>MiniGpt5.Durable</c> meter, tagged with the hub name, for any metrics listener or OpenTelemetry exporter.
/// </summary>
internal sealed class DurableMetrics : IDisposable
{
    public const string MeterName = "MiniGpt5.Durable";

    private readonly Meter _meter;
    private readonly KeyValuePair<string, object?> _hubTag;
    private readonly Histogram<double> _scheduleToStart;
    private readonly Histogram<double> _episodeDuration;
    private readonly Histogram<long> _episodeEvents;
    private long _episodes;
    private long _coldEpisodes;
    private long _eventsApplied;
    private long _eventsReplayed;
    private long _maxEventsPerEpisode;
    private long _conflicts;
    private long _duplicates;
    private long _poison;
    private long _activities;
    private long _sent;
    private long _resends;

    public DurableMetrics(string hubName, IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _hubTag = new KeyValuePair<string, object?>("hub", hubName);
        _scheduleToStart = _meter.CreateHistogram<double>("durable.activity.schedule_to_start", "ms", "From the orchestration sending an activity to a worker starting it.");
        _episodeDuration = _meter.CreateHistogram<double>("durable.episode.duration", "ms", "One orchestration episode: load or replay, run, checkpoint, send.");
        _episodeEvents = _meter.CreateHistogram<long>("durable.episode.events", "{event}", "History events applied in one episode (replayed plus new).");
        _meter.CreateObservableCounter("durable.episodes", () => new Measurement<long>(Volatile.Read(ref _episodes), _hubTag));
        _meter.CreateObservableCounter("durable.events.replayed", () => new Measurement<long>(Volatile.Read(ref _eventsReplayed), _hubTag));
        _meter.CreateObservableCounter("durable.checkpoint.conflicts", () => new Measurement<long>(Volatile.Read(ref _conflicts), _hubTag));
        _meter.CreateObservableCounter("durable.messages.poisoned", () => new Measurement<long>(Volatile.Read(ref _poison), _hubTag));
        _meter.CreateObservableCounter("durable.messages.duplicates", () => new Measurement<long>(Volatile.Read(ref _duplicates), _hubTag));
        _meter.CreateObservableCounter("durable.activity.executions", () => new Measurement<long>(Volatile.Read(ref _activities), _hubTag));
    }

    public void Episode(long eventsApplied, long eventsReplayed, bool cold, TimeSpan duration)
    {
        Interlocked.Increment(ref _episodes);
        if (cold)
        {
            Interlocked.Increment(ref _coldEpisodes);
        }

        Interlocked.Add(ref _eventsApplied, eventsApplied);
        Interlocked.Add(ref _eventsReplayed, eventsReplayed);
        long max;
        while (eventsApplied > (max = Volatile.Read(ref _maxEventsPerEpisode)) &&
            Interlocked.CompareExchange(ref _maxEventsPerEpisode, eventsApplied, max) != max)
        {
        }

        _episodeEvents.Record(eventsApplied, _hubTag);
        _episodeDuration.Record(duration.TotalMilliseconds, _hubTag);
    }

    public void ActivityStarted(TimeSpan scheduleToStart) => _scheduleToStart.Record(scheduleToStart.TotalMilliseconds, _hubTag);

    public void ActivityFinished() => Interlocked.Increment(ref _activities);

    public void Conflict() => Interlocked.Increment(ref _conflicts);

    public void Duplicate() => Interlocked.Increment(ref _duplicates);

    public void Poisoned() => Interlocked.Increment(ref _poison);

    public void Sent(int count) => Interlocked.Add(ref _sent, count);

    public void Resent(int count) => Interlocked.Add(ref _resends, count);

    public DurableTaskHubStatistics Snapshot() => new()
    {
        Episodes = Volatile.Read(ref _episodes),
        ColdEpisodes = Volatile.Read(ref _coldEpisodes),
        EventsApplied = Volatile.Read(ref _eventsApplied),
        EventsReplayed = Volatile.Read(ref _eventsReplayed),
        MaxEventsPerEpisode = Volatile.Read(ref _maxEventsPerEpisode),
        CheckpointConflicts = Volatile.Read(ref _conflicts),
        DuplicatesDropped = Volatile.Read(ref _duplicates),
        PoisonMessages = Volatile.Read(ref _poison),
        ActivitiesExecuted = Volatile.Read(ref _activities),
        MessagesSent = Volatile.Read(ref _sent),
        OutboxResends = Volatile.Read(ref _resends),
    };

    public void Dispose() => _meter.Dispose();
}
