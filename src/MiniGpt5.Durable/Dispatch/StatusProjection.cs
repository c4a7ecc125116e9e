using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// Derives an instance's status document from its history: fold the events of each checkpoint onto the
/// previous document. A warm worker folds only the new checkpoint; a cold worker folds the whole execution,
/// which repairs a document whose last write was lost.
/// </summary>
internal static class StatusProjection
{
    public static InstanceStatusDocument Fold(InstanceStatusDocument? previous, string instanceId, IEnumerable<HistoryEvent> events, string? customStatus, int checkpoint, int historyEvents)
    {
        var doc = previous;
        foreach (var e in events)
        {
            doc = Apply(doc, instanceId, e);
        }

        if (doc is null)
        {
            throw new InvalidOperationException($"History of instance '{instanceId}' has no ExecutionStarted event.");
        }

        return doc with
        {
            CustomStatus = customStatus,
            Checkpoint = checkpoint,
            HistoryEvents = historyEvents,
            LastUpdatedAt = DateTime.UtcNow,
        };
    }

    private static InstanceStatusDocument Apply(InstanceStatusDocument? doc, string instanceId, HistoryEvent e)
    {
        switch (e)
        {
            case ExecutionStartedEvent s:
                var sameInstanceChain = doc is not null && doc.Status == OrchestrationRuntimeStatus.ContinuedAsNew;
                var future = s.ScheduledStartTime is { } at && at > e.Timestamp;
                return new InstanceStatusDocument
                {
                    InstanceId = instanceId,
                    Name = s.Name,
                    Version = s.Version,
                    ExecutionId = s.ExecutionId,
                    Status = future ? OrchestrationRuntimeStatus.Pending : OrchestrationRuntimeStatus.Running,
                    CreatedAt = sameInstanceChain ? doc!.CreatedAt : (doc is not null && doc.ExecutionId == s.ExecutionId ? doc.CreatedAt : e.Timestamp),
                    LastUpdatedAt = e.Timestamp,
                    ScheduledStartAt = s.ScheduledStartTime,
                    Input = s.Input,
                    Parent = s.Parent,
                    Generation = sameInstanceChain ? doc!.Generation + 1 : (doc is not null && doc.ExecutionId == s.ExecutionId ? doc.Generation : 1),
                };
            case TimerFiredEvent { TimerId: TimerFiredEvent.StartTimerId } when doc is not null:
                return doc with { Status = OrchestrationRuntimeStatus.Running };
            case ExecutionSuspendedEvent when doc is not null:
                return doc with { Status = OrchestrationRuntimeStatus.Suspended };
            case ExecutionResumedEvent when doc is not null:
                return doc with { Status = OrchestrationRuntimeStatus.Running };
            case ExecutionCompletedEvent c when doc is not null:
                return doc with
                {
                    Status = c.Status,
                    Output = c.Status == OrchestrationRuntimeStatus.ContinuedAsNew ? null : c.Result,
                    Failure = c.Failure,
                    CompletedAt = c.Status.IsTerminal() ? e.Timestamp : null,
                };
            default:
                return doc!;
        }
    }
}
