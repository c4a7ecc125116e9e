using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// Moves a message that failed too often to the poison container and tells whoever waits on it, so nothing
/// cycles forever and no orchestration hangs: a poisoned activity call, or a poisoned completion, reaches the
/// orchestration as a <c>TaskFailed</c> (error type <c>MiniGpt5.Durable.PoisonMessage</c>) it can catch; a
/// poisoned start fails the instance (and its parent's call).
/// </summary>
internal sealed class PoisonHandler(DurableTaskHub hub)
{
    public const string FailureType = "MiniGpt5.Durable.PoisonMessage";

    public async Task PoisonActivityAsync(string queue, QueueMessage raw, ActivityWorkItem? work, string reason, CancellationToken cancellationToken)
    {
        var blob = await StoreAsync(queue, raw, reason, work?.InstanceId, cancellationToken);
        if (work is not null)
        {
            var now = DateTime.UtcNow;
            foreach (var perExecution in work.Requests.GroupBy(r => r.ExecutionId, StringComparer.Ordinal))
            {
                var failures = perExecution
                    .Select(r => (HistoryEvent)new TaskFailedEvent(r.TaskId, Failure(raw, reason, blob, $"activity '{r.Name}'")) { Timestamp = now })
                    .ToList();
                await hub.SendAsync(
                    new OutboundMessage(
                        hub.ControlQueueOf(work.InstanceId),
                        work.InstanceId,
                        new ControlMessage(work.InstanceId, perExecution.Key, failures, now)),
                    cancellationToken);
            }
        }

        await DeleteAsync(queue, raw, cancellationToken);
    }

    public async Task PoisonControlAsync(string queue, QueueMessage raw, ControlMessage? message, string reason, CancellationToken cancellationToken)
    {
        var blob = await StoreAsync(queue, raw, reason, message?.InstanceId, cancellationToken);
        if (message is not null)
        {
            var now = DateTime.UtcNow;
            var notices = new List<HistoryEvent>();
            foreach (var e in message.Events)
            {
                switch (e)
                {
                    case TaskCompletedEvent c:
                        notices.Add(new TaskFailedEvent(c.TaskScheduledId, Failure(raw, reason, blob, $"the result of task {c.TaskScheduledId}")) { Timestamp = now });
                        break;
                    case SubOrchestrationCompletedEvent c:
                        notices.Add(new SubOrchestrationFailedEvent(c.TaskScheduledId, Failure(raw, reason, blob, $"the result of sub-orchestration task {c.TaskScheduledId}")) { Timestamp = now });
                        break;
                    case ExecutionStartedEvent s:
                        await FailPendingStartAsync(message.InstanceId, s, Failure(raw, reason, blob, "the start"), now, cancellationToken);
                        break;
                }
            }

            if (notices.Count > 0)
            {
                await hub.SendAsync(
                    new OutboundMessage(hub.ControlQueueOf(message.InstanceId), message.InstanceId, new ControlMessage(message.InstanceId, message.ExecutionId, notices, now)),
                    cancellationToken);
            }
        }

        await DeleteAsync(queue, raw, cancellationToken);
    }

    private async Task FailPendingStartAsync(string instanceId, ExecutionStartedEvent start, FailureDetails failure, DateTime now, CancellationToken cancellationToken)
    {
        if (start.Parent is { } parent)
        {
            await hub.SendAsync(
                new OutboundMessage(
                    hub.ControlQueueOf(parent.InstanceId),
                    parent.InstanceId,
                    new ControlMessage(parent.InstanceId, parent.ExecutionId, [new SubOrchestrationFailedEvent(parent.TaskId, failure) { Timestamp = now }], now)),
                cancellationToken);
        }

        var stored = await hub.Status.ReadAsync(instanceId, cancellationToken);
        if (stored is { Document: { Status: OrchestrationRuntimeStatus.Pending } doc } && doc.ExecutionId == start.ExecutionId && doc.Checkpoint == 0)
        {
            try
            {
                await hub.Status.WriteAsync(doc with { Status = OrchestrationRuntimeStatus.Failed, Failure = failure, CompletedAt = now, LastUpdatedAt = now }, stored.ETag, cancellationToken);
            }
            catch (BlobConditionFailedException)
            {
                // It moved on (started after all); nothing to fail.
            }
        }
    }

    private async Task<string> StoreAsync(string queue, QueueMessage raw, string reason, string? instanceId, CancellationToken cancellationToken)
    {
        var blob = await hub.Poison.StoreAsync(queue, raw, reason, instanceId, cancellationToken);
        hub.Metrics.Poisoned();
        DurableLog.Poisoned(hub.Logger, raw.MessageId, queue, blob, reason);
        return blob;
    }

    private async Task DeleteAsync(string queue, QueueMessage raw, CancellationToken cancellationToken)
    {
        try
        {
            await hub.Retry.RunAsync("delete poison message", ct => hub.Queues.DeleteAsync(queue, raw.MessageId, raw.PopReceipt, ct), cancellationToken);
        }
        catch (QueueMessageNotFoundException)
        {
        }
    }

    private static FailureDetails Failure(QueueMessage raw, string reason, string blob, string what) =>
        new(FailureType, $"The message carrying {what} was moved to the poison container as '{blob}' after {raw.DequeueCount} deliveries: {reason}");
}
