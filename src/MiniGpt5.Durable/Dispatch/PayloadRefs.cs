using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>Resolves the <c>@blob:</c> payload references that events about to be applied carry, all at once.</summary>
internal static class PayloadRefs
{
    /// <summary>Payload fields the orchestrator reads when an event is applied.</summary>
    public static IEnumerable<string?> ConsumedPayloads(HistoryEvent e) => e switch
    {
        ExecutionStartedEvent s => [s.Input],
        TaskCompletedEvent c => [c.Result],
        SubOrchestrationCompletedEvent c => [c.Result],
        EventRaisedEvent r => [r.Input],
        ExecutionCompletedEvent { CarriedEvents: { } carried } => carried.Select(x => x.Input),
        _ => [],
    };

    /// <summary>Fetches every referenced payload in <paramref name="events"/> and returns a resolver.</summary>
    public static async Task<Func<string?, string?>> PrefetchAsync(PayloadStore payloads, IEnumerable<HistoryEvent> events, int parallelism, CancellationToken cancellationToken)
    {
        var references = events.SelectMany(ConsumedPayloads).Where(PayloadStore.IsReference).Distinct(StringComparer.Ordinal).ToList();
        if (references.Count == 0)
        {
            return static value => value;
        }

        var resolved = new System.Collections.Concurrent.ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            references,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (reference, ct) => resolved[reference!] = await payloads.ResolveAsync(reference, ct));
        return value => value is not null && resolved.TryGetValue(value, out var v) ? v : value;
    }
}
