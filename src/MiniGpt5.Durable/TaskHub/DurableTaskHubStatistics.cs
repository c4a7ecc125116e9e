namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// Counters of one hub object in this process since it was created: what the runtime did, for tests,
/// benchmarks and health pages (the same numbers are published as OpenTelemetry-style metrics on the
/// <c>MiniGpt5.Durable</c> meter).
/// </summary>
public sealed record DurableTaskHubStatistics
{
    /// <summary>Episodes committed (one per batch of messages for one instance).</summary>
    public long Episodes { get; init; }

    /// <summary>Episodes that had to rebuild the orchestration from stored history (cold cache).</summary>
    public long ColdEpisodes { get; init; }

    /// <summary>History events applied to orchestrators, replayed and new: the replay cost.</summary>
    public long EventsApplied { get; init; }

    /// <summary>Of <see cref="EventsApplied"/>, those replayed from stored history.</summary>
    public long EventsReplayed { get; init; }

    /// <summary>Most events applied in one episode.</summary>
    public long MaxEventsPerEpisode { get; init; }

    /// <summary>Checkpoints lost to another writer (split brain or a stale cache); the episode was abandoned and retried.</summary>
    public long CheckpointConflicts { get; init; }

    /// <summary>Messages dropped as duplicates or stale (already in history, or for another execution).</summary>
    public long DuplicatesDropped { get; init; }

    /// <summary>Messages moved to the poison container.</summary>
    public long PoisonMessages { get; init; }

    /// <summary>Activity executions finished in this process (any outcome).</summary>
    public long ActivitiesExecuted { get; init; }

    /// <summary>Messages sent (control and activity queues).</summary>
    public long MessagesSent { get; init; }

    /// <summary>Outbound messages sent again after a cold load found an unconfirmed checkpoint.</summary>
    public long OutboxResends { get; init; }
}
