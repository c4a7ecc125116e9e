using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// The messages a checkpoint implies, derived from its history events alone: scheduled activities, timers,
/// sub-orchestration starts, events sent, a scheduled start, and the parent's notification when the execution
/// ends. Because they are derived, a cold worker can send them again for a checkpoint whose sending was never
/// confirmed; every receiver de-duplicates.
/// </summary>
internal static class Outbox
{
    public static List<OutboundMessage> FromEvents(
        DurableTaskHub hub,
        string instanceId,
        ExecutionStartedEvent started,
        IEnumerable<HistoryEvent> events,
        DateTime now,
        Func<int, bool>? timerWanted = null)
    {
        var messages = new List<OutboundMessage>();
        var executionId = started.ExecutionId;
        var ownQueue = hub.ControlQueueOf(instanceId);
        var scheduled = new List<TaskScheduledEvent>();
        foreach (var e in events)
        {
            switch (e)
            {
                case TaskScheduledEvent s:
                    scheduled.Add(s);
                    break;
                case TimerCreatedEvent t when timerWanted?.Invoke(t.EventId) != false:
                    messages.Add(Timer(hub, ownQueue, instanceId, executionId, t.EventId, t.FireAt, now));
                    break;
                case ExecutionStartedEvent { ScheduledStartTime: { } at } when at > now:
                    messages.Add(Timer(hub, ownQueue, instanceId, executionId, TimerFiredEvent.StartTimerId, at, now));
                    break;
                case SubOrchestrationCreatedEvent c:
                    messages.Add(new OutboundMessage(
                        hub.ControlQueueOf(c.InstanceId),
                        c.InstanceId,
                        new ControlMessage(
                            c.InstanceId,
                            c.ExecutionId,
                            [
                                new ExecutionStartedEvent(c.Name, c.Version, c.ExecutionId, c.Input, new ParentOrchestrationInfo(instanceId, executionId, c.EventId, started.Name))
                                {
                                    Timestamp = now,
                                },
                            ],
                            now)));
                    break;
                case EventSentEvent x:
                    messages.Add(new OutboundMessage(
                        hub.ControlQueueOf(x.InstanceId),
                        x.InstanceId,
                        new ControlMessage(x.InstanceId, null, [new EventRaisedEvent($"{instanceId}:{executionId}:{x.EventId}", x.Name, x.Input) { Timestamp = now }], now)));
                    break;
                case ExecutionCompletedEvent done when started.Parent is { } parent && done.Status.IsTerminal():
                    messages.Add(NotifyParent(hub, parent, done, now));
                    break;
            }
        }

        messages.AddRange(PackActivities(hub, instanceId, executionId, scheduled, now));
        return messages;
    }

    /// <summary>
    /// Activity calls grouped per task queue and packed ceil(n / 64) per message (at most
    /// <see cref="DurableTaskHubOptions.MaxActivitiesPerMessage"/>, and within a size budget so a message
    /// never needs offloading): a burst of 64 or fewer keeps one call per message.
    /// </summary>
    private static IEnumerable<OutboundMessage> PackActivities(DurableTaskHub hub, string instanceId, string executionId, List<TaskScheduledEvent> scheduled, DateTime now)
    {
        const int SpreadTarget = 64;
        const int ByteBudget = 32 * 1024;
        foreach (var group in scheduled.GroupBy(s => s.TaskQueue, StringComparer.Ordinal))
        {
            var calls = group.ToList();
            var perMessage = Math.Clamp((calls.Count + SpreadTarget - 1) / SpreadTarget, 1, hub.Options.MaxActivitiesPerMessage);
            var pack = new List<ActivityRequest>(perMessage);
            var bytes = 0;
            foreach (var s in calls)
            {
                var size = 256 + (s.Input?.Length ?? 0) * 2;
                if (pack.Count > 0 && (pack.Count == perMessage || bytes + size > ByteBudget))
                {
                    yield return new OutboundMessage(hub.Names.ActivityQueue(group.Key), instanceId, new ActivityWorkItem(pack));
                    pack = new List<ActivityRequest>(perMessage);
                    bytes = 0;
                }

                pack.Add(new ActivityRequest(instanceId, executionId, s.EventId, s.Name, s.Input, s.TaskQueue, s.Attempt, now));
                bytes += size;
            }

            if (pack.Count > 0)
            {
                yield return new OutboundMessage(hub.Names.ActivityQueue(group.Key), instanceId, new ActivityWorkItem(pack));
            }
        }
    }

    /// <summary>A timer message, hidden until it is due (whole seconds, rounded up, at most the hub's cap: longer timers are re-sent on arrival).</summary>
    public static OutboundMessage Timer(DurableTaskHub hub, string queue, string instanceId, string executionId, int timerId, DateTime fireAt, DateTime now)
    {
        var remaining = fireAt - now;
        TimeSpan? delay = null;
        if (remaining > TimeSpan.Zero)
        {
            var seconds = Math.Ceiling(remaining.TotalSeconds);
            delay = TimeSpan.FromSeconds(Math.Min(seconds, Math.Floor(hub.Options.MaxTimerDelay.TotalSeconds)));
        }

        return new OutboundMessage(
            queue,
            instanceId,
            new ControlMessage(instanceId, executionId, [new TimerFiredEvent(timerId, fireAt) { Timestamp = now }], now),
            delay);
    }

    private static OutboundMessage NotifyParent(DurableTaskHub hub, ParentOrchestrationInfo parent, ExecutionCompletedEvent done, DateTime now)
    {
        HistoryEvent notice = done.Status switch
        {
            OrchestrationRuntimeStatus.Completed => new SubOrchestrationCompletedEvent(parent.TaskId, done.Result),
            OrchestrationRuntimeStatus.Failed => new SubOrchestrationFailedEvent(
                parent.TaskId,
                done.Failure ?? new FailureDetails("MiniGpt5.Durable.OrchestrationFailed", "The sub-orchestration failed.")),
            _ => new SubOrchestrationFailedEvent(
                parent.TaskId,
                new FailureDetails("MiniGpt5.Durable.OrchestrationTerminated", $"The sub-orchestration was terminated: {done.Result ?? "no reason given"}")),
        };
        return new OutboundMessage(
            hub.ControlQueueOf(parent.InstanceId),
            parent.InstanceId,
            new ControlMessage(parent.InstanceId, parent.ExecutionId, [notice with { Timestamp = now }], now));
    }
}
