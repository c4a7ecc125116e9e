using System.Collections.Concurrent;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// Owns one control queue while this worker holds its partition lease. A receive loop pulls batches of up to
/// 32 messages (backing off when idle, woken at once by in-process senders) into per-instance mailboxes; each
/// mailbox is drained by one episode at a time, which takes everything that arrived meanwhile — so a busy
/// instance (a big fan-in) gets large batches and few checkpoints.
/// </summary>
internal sealed class PartitionProcessor : IDisposable
{
    private readonly DurableTaskHub _hub;
    private readonly EpisodeRunner _runner;
    private readonly PoisonHandler _poison;
    private readonly SemaphoreSlim _episodeSlots;
    private readonly int _bufferThreshold;
    private readonly Dictionary<string, Mailbox> _mailboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _drains = new();
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _receiveStop = new();
    private readonly CancellationTokenSource _episodeStop = new();
    private Task _loop = Task.CompletedTask;
    private int _buffered;
    private bool _stopping;

    public PartitionProcessor(DurableTaskHub hub, int partition, EpisodeRunner runner, PoisonHandler poison, SemaphoreSlim episodeSlots, int bufferThreshold)
    {
        _hub = hub;
        Partition = partition;
        Queue = hub.Names.ControlQueue(partition);
        _runner = runner;
        _poison = poison;
        _episodeSlots = episodeSlots;
        _bufferThreshold = bufferThreshold;
    }

    public int Partition { get; }

    public string Queue { get; }

    public int InFlightEpisodes => _drains.Count;

    public void Start() => _loop = Task.Run(ReceiveLoopAsync, CancellationToken.None);

    /// <summary>Stops receiving, lets running episodes finish (up to <paramref name="timeout"/>), and hands back what is left.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _receiveStop.CancelAsync();
        await _loop;
        lock (_lock)
        {
            _stopping = true;
        }

        var drains = Task.WhenAll(_drains.Keys);
        if (await Task.WhenAny(drains, Task.Delay(timeout)) != drains)
        {
            await _episodeStop.CancelAsync();
            await drains;
        }

        List<ReceivedMessage<ControlMessage>> leftovers;
        lock (_lock)
        {
            leftovers = _mailboxes.Values.SelectMany(m => m.Items).ToList();
            _mailboxes.Clear();
        }

        foreach (var message in leftovers)
        {
            await _hub.AbandonMessageAsync(message, TimeSpan.Zero, graceful: true, CancellationToken.None);
        }

    }

    public void Dispose()
    {
        _receiveStop.Dispose();
        _episodeStop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var stop = _receiveStop.Token;
        var options = _hub.Options;
        var idle = options.MinPollingInterval;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (Volatile.Read(ref _buffered) >= _bufferThreshold)
                {
                    await Task.Delay(10, stop);
                    continue;
                }

                var version = _hub.Signals.Version(Queue);
                var messages = await _hub.Retry.RunAsync(
                    "receive control messages",
                    ct => _hub.Queues.ReceiveAsync(Queue, 32, options.ControlQueueVisibilityTimeout, ct),
                    stop);
                if (messages.Count == 0)
                {
                    await _hub.Signals.WaitAsync(Queue, version, idle, stop);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, options.MaxPollingInterval.Ticks));
                    continue;
                }

                idle = options.MinPollingInterval;
                foreach (var raw in messages)
                {
                    await AcceptAsync(raw, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                DurableLog.ReceiveFailed(_hub.Logger, e, Queue);
                try
                {
                    await Task.Delay(idle, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, options.MaxPollingInterval.Ticks));
            }
        }
    }

    private async Task AcceptAsync(QueueMessage raw, CancellationToken cancellationToken)
    {
        DecodedMessage<ControlMessage> decoded;
        try
        {
            decoded = await _hub.Codec.DecodeAsync<ControlMessage>(raw.Text, cancellationToken);
        }
        catch (Exception e) when (e is MessageFormatException or PayloadMissingException)
        {
            await _poison.PoisonControlAsync(Queue, raw, null, $"unreadable: {e.Message}", cancellationToken);
            return;
        }

        var message = new ReceivedMessage<ControlMessage>(Queue, raw, decoded.Body, decoded.Abandons);
        if (message.FailedDeliveries > _hub.Options.MaxDequeueCount)
        {
            await _poison.PoisonControlAsync(Queue, raw, decoded.Body, $"delivered {raw.DequeueCount} times ({decoded.Abandons} graceful hand-backs) without being processed", cancellationToken);
            return;
        }

        lock (_lock)
        {
            var instanceId = decoded.Body.InstanceId;
            if (!_mailboxes.TryGetValue(instanceId, out var mailbox))
            {
                mailbox = new Mailbox(instanceId);
                _mailboxes[instanceId] = mailbox;
            }

            if (!mailbox.Add(message))
            {
                return; // redelivered while still waiting here: only its pop receipt changed
            }

            _buffered++;
            if (!mailbox.Running && !_stopping)
            {
                mailbox.Running = true;
                var drain = Task.Run(() => DrainAsync(mailbox), CancellationToken.None);
                _drains.TryAdd(drain, 0);
                _ = drain.ContinueWith(t => _drains.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private async Task DrainAsync(Mailbox mailbox)
    {
        while (true)
        {
            List<ReceivedMessage<ControlMessage>> batch;
            lock (_lock)
            {
                if (mailbox.Items.Count == 0 || _stopping)
                {
                    mailbox.Running = false;
                    if (mailbox.Items.Count == 0)
                    {
                        _mailboxes.Remove(mailbox.InstanceId);
                    }

                    return;
                }

                batch = mailbox.TakeAll();
            }

            await _episodeSlots.WaitAsync();
            try
            {
                await _runner.RunAsync(mailbox.InstanceId, batch, _episodeStop.Token);
            }
            finally
            {
                _episodeSlots.Release();
                lock (_lock)
                {
                    _buffered -= batch.Count;
                }
            }
        }
    }

    /// <summary>Messages for one instance waiting for its next episode.</summary>
    private sealed class Mailbox(string instanceId)
    {
        private readonly Dictionary<string, ReceivedMessage<ControlMessage>> _byId = new(StringComparer.Ordinal);

        public string InstanceId { get; } = instanceId;

        public List<ReceivedMessage<ControlMessage>> Items { get; } = [];

        public bool Running { get; set; }

        /// <summary>Adds a message; false when the same message is already waiting (its receipt is refreshed).</summary>
        public bool Add(ReceivedMessage<ControlMessage> message)
        {
            if (_byId.TryGetValue(message.MessageId, out var existing))
            {
                existing.PopReceipt = message.PopReceipt;
                return false;
            }

            _byId[message.MessageId] = message;
            Items.Add(message);
            return true;
        }

        public List<ReceivedMessage<ControlMessage>> TakeAll()
        {
            var batch = Items.ToList();
            Items.Clear();
            _byId.Clear();
            return batch;
        }
    }
}
