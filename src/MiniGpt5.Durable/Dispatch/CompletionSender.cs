using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// Sends activity results to the orchestration's control queue, batching results for the same instance that
/// finish while a previous send is still in flight into one message. A fan-out that runs many activities on
/// one worker so needs far fewer control-queue sends, receives and deletes than one message per result
/// (the per-message cost Durable Functions pays), with no added latency: a lone result goes out at once.
/// </summary>
internal sealed class CompletionSender(DurableTaskHub hub)
{
    private const int MaxEventsPerMessage = 128;
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Completes once the message carrying <paramref name="completion"/> has been sent.</summary>
    public Task SendAsync(string instanceId, string executionId, HistoryEvent completion)
    {
        var key = instanceId + "\n" + executionId;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Pending? start = null;
        lock (_lock)
        {
            if (!_pending.TryGetValue(key, out var pending))
            {
                pending = new Pending(key, instanceId, executionId);
                _pending[key] = pending;
            }

            pending.Items.Add((completion, done));
            if (!pending.Sending)
            {
                pending.Sending = true;
                start = pending;
            }
        }

        if (start is not null)
        {
            _ = Task.Run(() => FlushAsync(start), CancellationToken.None);
        }

        return done.Task;
    }

    private async Task FlushAsync(Pending pending)
    {
        while (true)
        {
            List<(HistoryEvent Event, TaskCompletionSource Done)> batch;
            lock (_lock)
            {
                if (pending.Items.Count == 0)
                {
                    pending.Sending = false;
                    _pending.Remove(pending.Key);
                    return;
                }

                var take = Math.Min(MaxEventsPerMessage, pending.Items.Count);
                batch = pending.Items.GetRange(0, take);
                pending.Items.RemoveRange(0, take);
            }

            try
            {
                var now = DateTime.UtcNow;
                await hub.SendAsync(
                    new OutboundMessage(
                        hub.ControlQueueOf(pending.InstanceId),
                        pending.InstanceId,
                        new ControlMessage(pending.InstanceId, pending.ExecutionId, batch.Select(b => b.Event).ToList(), now)),
                    CancellationToken.None);
                foreach (var item in batch)
                {
                    item.Done.TrySetResult();
                }
            }
            catch (Exception e)
            {
                foreach (var item in batch)
                {
                    item.Done.TrySetException(e);
                }
            }
        }
    }

    private sealed class Pending(string key, string instanceId, string executionId)
    {
        public string Key { get; } = key;

        public string InstanceId { get; } = instanceId;

        public string ExecutionId { get; } = executionId;

        public List<(HistoryEvent Event, TaskCompletionSource Done)> Items { get; } = [];

        public bool Sending { get; set; }
    }
}
