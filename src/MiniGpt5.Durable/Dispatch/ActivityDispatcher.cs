using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// Runs activities from one task queue (<c>{hub}-activities-{taskQueue}</c>) with a concurrency limit. While an
/// activity runs, a heartbeat renews its message's visibility every third of the timeout (so a 10-minute GPU
/// job keeps a 2-minute lease) and checks that the instance still wants the result; the activity's token fires
/// when the instance ends, when the lease is lost, or when the worker shuts down. The result is sent to the
/// orchestration before the activity message is deleted (a crash in between repeats the activity, never
/// loses it).
/// </summary>
internal sealed class ActivityDispatcher : IDisposable
{
    private readonly DurableTaskHub _hub;
    private readonly DurableTaskRegistry _registry;
    private readonly IServiceScopeFactory _scopes;
    private readonly CompletionSender _sender;
    private readonly PoisonHandler _poison;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _receiveStop = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private Task _loop = Task.CompletedTask;

    public ActivityDispatcher(DurableTaskHub hub, DurableTaskRegistry registry, IServiceScopeFactory scopes, string taskQueue, int concurrency, CompletionSender sender)
    {
        _hub = hub;
        _registry = registry;
        _scopes = scopes;
        TaskQueue = taskQueue;
        Queue = hub.Names.ActivityQueue(taskQueue);
        _sender = sender;
        _poison = new PoisonHandler(hub);
        _slots = new SemaphoreSlim(concurrency);
    }

    public string TaskQueue { get; }

    public string Queue { get; }

    public int InFlight => _running.Count;

    public void Start() => _loop = Task.Run(ReceiveLoopAsync, CancellationToken.None);

    /// <summary>
    /// Stops fetching, gives running activities <paramref name="drainTimeout"/> to finish, then cancels the
    /// rest; cancelled activities hand their messages back (visible at once) for another worker.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        await _receiveStop.CancelAsync();
        await _loop;
        var all = Task.WhenAll(_running.Keys);
        if (await Task.WhenAny(all, Task.Delay(drainTimeout)) != all)
        {
            await _shutdown.CancelAsync();
            await all;
        }
    }

    public void Dispose()
    {
        _receiveStop.Dispose();
        _shutdown.Dispose();
        _slots.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var stop = _receiveStop.Token;
        var options = _hub.Options;
        var idle = options.MinPollingInterval;
        try
        {
            await _hub.EnsureActivityQueueAsync(TaskQueue, stop);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        while (!stop.IsCancellationRequested)
        {
            var taken = 0;
            try
            {
                await _slots.WaitAsync(stop);
                taken = 1;
                while (taken < 32 && _slots.Wait(0))
                {
                    taken++;
                }

                var version = _hub.Signals.Version(Queue);
                var messages = await _hub.Retry.RunAsync(
                    "receive activity messages",
                    ct => _hub.Queues.ReceiveAsync(Queue, taken, options.ActivityVisibilityTimeout, ct),
                    stop);
                if (taken > messages.Count)
                {
                    _slots.Release(taken - messages.Count);
                }

                taken = 0;
                if (messages.Count == 0)
                {
                    await _hub.Signals.WaitAsync(Queue, version, idle, stop);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, options.MaxPollingInterval.Ticks));
                    continue;
                }

                idle = options.MinPollingInterval;
                foreach (var raw in messages)
                {
                    var run = Task.Run(() => RunOneAsync(raw), CancellationToken.None);
                    _running.TryAdd(run, 0);
                    _ = run.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                if (taken > 0)
                {
                    _slots.Release(taken);
                }

                break;
            }
            catch (Exception e)
            {
                if (taken > 0)
                {
                    _slots.Release(taken);
                }

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

    private async Task RunOneAsync(QueueMessage raw)
    {
        try
        {
            DecodedMessage<ActivityWorkItem> decoded;
            try
            {
                decoded = await _hub.Codec.DecodeAsync<ActivityWorkItem>(raw.Text, CancellationToken.None);
                if (decoded.Body.Requests is not { Count: > 0 })
                {
                    throw new MessageFormatException("Activity message carries no calls.");
                }
            }
            catch (Exception e) when (e is MessageFormatException or PayloadMissingException)
            {
                await _poison.PoisonActivityAsync(Queue, raw, null, $"unreadable: {e.Message}", CancellationToken.None);
                return;
            }

            var message = new ReceivedMessage<ActivityWorkItem>(Queue, raw, decoded.Body, decoded.Abandons);
            if (message.FailedDeliveries > _hub.Options.MaxDequeueCount)
            {
                await _poison.PoisonActivityAsync(
                    Queue,
                    raw,
                    decoded.Body,
                    $"delivered {raw.DequeueCount} times ({decoded.Abandons} graceful hand-backs) without a result; the worker running it probably crashed each time",
                    CancellationToken.None);
                return;
            }

            await ExecuteAsync(message);
        }
        catch (Exception e)
        {
            // Storage was unreachable while poisoning or reporting: the message becomes visible again by itself.
            DurableLog.ReceiveFailed(_hub.Logger, e, Queue);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Runs the calls of one message in order, reports each result, then deletes (or hands back) the message.</summary>
    private async Task ExecuteAsync(ReceivedMessage<ActivityWorkItem> message)
    {
        var requests = message.Body.Requests;
        using var run = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        using var heartbeatStop = new CancellationTokenSource();
        var progress = new PackProgress(requests.Count);
        var reason = new CancelReason();
        var heartbeat = HeartbeatAsync(message, progress, run, reason, heartbeatStop.Token);
        var reports = new List<Task>(requests.Count);
        var cancelled = false;
        for (var i = 0; i < requests.Count; i++)
        {
            if (run.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }

            var request = requests[i];
            _hub.Metrics.ActivityStarted(DateTime.UtcNow - DateTime.SpecifyKind(request.SentAt, DateTimeKind.Utc));
            var outcome = await RunActivityAsync(request, run.Token);
            _hub.Metrics.ActivityFinished();
            if (outcome.Cancelled)
            {
                cancelled = true;
                break;
            }

            // Not awaited one by one: results of one instance that finish together go out in one message.
            var index = i;
            reports.Add(ReportAsync(request, outcome).ContinueWith(
                t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        progress.MarkReported(index);
                    }

                    return t;
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default).Unwrap());
        }

        var reported = true;
        try
        {
            await Task.WhenAll(reports);
        }
        catch (Exception e)
        {
            reported = false;
            DurableLog.ActivityReportFailed(_hub.Logger, e, requests[0].Name, requests[0].InstanceId);
        }

        await heartbeatStop.CancelAsync();
        await heartbeat;
        if (!reported)
        {
            await _hub.AbandonMessageAsync(message, TimeSpan.FromSeconds(1), graceful: false, CancellationToken.None);
            return;
        }

        if (cancelled)
        {
            switch (reason.Value)
            {
                case CancelReason.InstanceEnded:
                    await _hub.DeleteMessageAsync(message, CancellationToken.None);
                    break;
                case CancelReason.LeaseLost:
                    break;
                default:
                    // Shutdown: hand back only the calls whose results were not sent yet.
                    message.Text = await RemainingTextAsync(message, progress.Reported);
                    await _hub.AbandonMessageAsync(message, TimeSpan.Zero, graceful: true, CancellationToken.None);
                    break;
            }

            return;
        }

        await _hub.DeleteMessageAsync(message, CancellationToken.None);
    }

    private async Task<Outcome> RunActivityAsync(ActivityRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (!_registry.TryGetActivity(request.Name, out var registration))
            {
                return new Outcome(null, new FailureDetails(
                    "MiniGpt5.Durable.ActivityNotRegistered",
                    $"No activity named '{request.Name}' is registered in the worker serving task queue '{TaskQueue}'. Registered: {string.Join(", ", _registry.ActivityNames.Order(StringComparer.Ordinal))}."),
                    Cancelled: false);
            }

            var input = await _hub.Payloads.ResolveAsync(request.Input, cancellationToken);
            await using var scope = _scopes.CreateAsyncScope();
            var context = new WorkerActivityContext(request, cancellationToken);
            var result = await registration.Invoker.InvokeAsync(scope.ServiceProvider, context, input, _hub.Json);
            return new Outcome(result, null, Cancelled: false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new Outcome(null, null, Cancelled: true);
        }
        catch (Exception e)
        {
            return new Outcome(null, FailureDetails.FromException(e), Cancelled: false);
        }
    }

    private async Task ReportAsync(ActivityRequest request, Outcome outcome)
    {
        var stored = await _hub.Payloads.OffloadIfLargeAsync(request.InstanceId, outcome.Result, CancellationToken.None);
        var now = DateTime.UtcNow;
        HistoryEvent completion = outcome.Failure is null
            ? new TaskCompletedEvent(request.TaskId, stored) { Timestamp = now }
            : new TaskFailedEvent(request.TaskId, outcome.Failure) { Timestamp = now };
        await _sender.SendAsync(request.InstanceId, request.ExecutionId, completion);
    }

    /// <summary>The message text with the first <paramref name="done"/> calls removed (their results are sent).</summary>
    private async Task<string> RemainingTextAsync(ReceivedMessage<ActivityWorkItem> message, int done)
    {
        if (done == 0)
        {
            return message.Text;
        }

        var remaining = new ActivityWorkItem(message.Body.Requests.Skip(done).ToList());
        var text = await _hub.Codec.EncodeAsync(remaining, remaining.InstanceId, CancellationToken.None);
        return MessageCodec.WithAbandons(text, message.Abandons);
    }

    private async Task HeartbeatAsync(ReceivedMessage<ActivityWorkItem> message, PackProgress progress, CancellationTokenSource run, CancelReason reason, CancellationToken stop)
    {
        var work = message.Body;
        var visibility = _hub.Options.ActivityVisibilityTimeout;
        var interval = TimeSpan.FromTicks(Math.Max(visibility.Ticks / 3, TimeSpan.FromMilliseconds(200).Ticks));
        var terminal = EpisodeRunner.TerminalSignal(work.InstanceId);
        var trimmed = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var version = _hub.Signals.Version(terminal);
                var signalled = await _hub.Signals.WaitAsync(terminal, version, interval, stop);
                if (!signalled)
                {
                    try
                    {
                        // Renew the lease; in a packed message also drop the calls whose results are already sent,
                        // so a crash from here on does not run them again.
                        var reported = progress.Reported;
                        string? newText = null;
                        if (reported > trimmed && reported < work.Requests.Count)
                        {
                            newText = await RemainingTextAsync(message, reported);
                        }

                        var receipt = await _hub.Queues.UpdateAsync(message.Queue, message.MessageId, message.PopReceipt, visibility, newText, stop);
                        message.PopReceipt = receipt.PopReceipt;
                        if (newText is not null)
                        {
                            message.Text = newText;
                            trimmed = reported;
                        }
                    }
                    catch (QueueMessageNotFoundException)
                    {
                        DurableLog.ActivityLeaseLost(_hub.Logger, work.Requests[0].Name, work.InstanceId);
                        reason.Set(CancelReason.LeaseLost);
                        await run.CancelAsync();
                        return;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        DurableLog.HeartbeatFailed(_hub.Logger, work.Requests[0].Name, work.InstanceId, e.Message);
                    }
                }

                StatusHead? head;
                try
                {
                    head = await _hub.Status.ReadHeadAsync(work.InstanceId, stop);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    DurableLog.HeartbeatFailed(_hub.Logger, work.Requests[0].Name, work.InstanceId, e.Message);
                    continue;
                }

                // Only an ended (or purged) instance cancels: a status document may briefly lag a ContinueAsNew.
                if (head is null || head.Status.IsTerminal())
                {
                    DurableLog.ActivityCancelledByInstance(_hub.Logger, work.Requests[0].Name, work.InstanceId, head?.Status.ToString() ?? "gone");
                    reason.Set(CancelReason.InstanceEnded);
                    await run.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed record Outcome(string? Result, FailureDetails? Failure, bool Cancelled);

    /// <summary>How many leading calls of a message have their results sent (results are reported in order of completion, calls run in order).</summary>
    private sealed class PackProgress(int count)
    {
        private readonly bool[] _reported = new bool[count];
        private int _prefix;

        public int Reported
        {
            get
            {
                lock (_reported)
                {
                    return _prefix;
                }
            }
        }

        public void MarkReported(int index)
        {
            lock (_reported)
            {
                _reported[index] = true;
                while (_prefix < _reported.Length && _reported[_prefix])
                {
                    _prefix++;
                }
            }
        }
    }

    /// <summary>Why an activity's token fired (shutdown unless set otherwise).</summary>
    private sealed class CancelReason
    {
        public const int Shutdown = 0;
        public const int InstanceEnded = 1;
        public const int LeaseLost = 2;
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public void Set(int value) => Interlocked.CompareExchange(ref _value, value, Shutdown);
    }
}
