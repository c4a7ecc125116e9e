using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MiniGpt5.Durable.History;

namespace MiniGpt5.Durable.Replay;

/// <summary>
/// Rebuilds one orchestration execution from its history and drives it forward. History events are applied
/// one at a time; each may complete a durable task, and the orchestrator's continuations then run (on
/// <see cref="OrchestrationTaskScheduler"/>) until the code blocks again. While replaying, every step the
/// code asks for must match the scheduling event recorded at the same sequence number; otherwise the
/// execution fails with <see cref="NonDeterministicOrchestrationException"/>. New steps are collected in
/// <see cref="TakeNewActions"/>. An executor stays alive between episodes (the session cache), so a warm
/// episode applies only the new events.
/// </summary>
internal sealed class OrchestrationExecutor
{
    private readonly DurableTaskRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly OrchestrationTaskScheduler _scheduler = new();
    private readonly Dictionary<int, OpenTask> _open = [];
    private readonly SortedDictionary<int, OrchestratorAction> _unmatched = [];
    private readonly List<OrchestratorAction> _newActions = [];
    private readonly Dictionary<string, Queue<EventWaiter>> _waiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Queue<BufferedEvent>> _buffered = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _seenEventIds = new(StringComparer.Ordinal);
    private readonly List<HistoryEvent> _heldWhileSuspended = [];
    private readonly ReplayOrchestrationContext _context;
    private Func<string?, string?> _resolve = static value => value;
    private SynchronizationContext? _savedContext;
    private List<EventRaisedEvent> _carried = [];
    private Task<string?>? _main;
    private string? _input;
    private int _nextSequence;
    private long _bufferedCounter;
    private int _guidCounter;
    private bool _awaitingStart;
    private string? _continueAsNewInput;
    private bool _continueAsNewPreserveEvents;

    public OrchestrationExecutor(
        string instanceId,
        DurableTaskRegistry registry,
        IServiceProvider services,
        JsonSerializerOptions json,
        ILoggerFactory loggerFactory)
    {
        InstanceId = instanceId;
        _registry = registry;
        _services = services;
        Json = json;
        _loggerFactory = loggerFactory;
        _context = new ReplayOrchestrationContext(this);
    }

    public string InstanceId { get; }

    public string ExecutionId { get; private set; } = string.Empty;

    public string Name { get; private set; } = string.Empty;

    public string Version { get; private set; } = string.Empty;

    public ParentOrchestrationInfo? Parent { get; private set; }

    public JsonSerializerOptions Json { get; }

    public DurableTaskRegistry Registry => _registry;

    public DateTime CurrentUtcDateTime { get; private set; }

    public bool IsReplaying { get; private set; }

    /// <summary>ExecutionStarted has been applied.</summary>
    public bool IsStarted { get; private set; }

    /// <summary>The orchestrator code has been invoked (a scheduled start may defer it).</summary>
    public bool IsCodeStarted => _main is not null;

    public bool IsSuspended { get; private set; }

    /// <summary>Set once the execution ended (returned, threw, continued as new, was terminated).</summary>
    public OrchestrationCompletion? Completion { get; private set; }

    /// <summary>JSON of the custom status the code set last.</summary>
    public string? CustomStatus { get; private set; }

    /// <summary>When a scheduled start is still waiting, the time it was asked for.</summary>
    public DateTime? PendingStartTime { get; private set; }

    /// <summary>History events applied to this executor so far (replayed or new): the replay cost.</summary>
    public long EventsApplied { get; private set; }

    public int NextSequence => _nextSequence;

    internal ILoggerFactory LoggerFactory => _loggerFactory;

    /// <summary>
    /// Whether <paramref name="e"/> would change anything (used to drop duplicates and stale messages before
    /// they reach the history): a completion for a task that is open and not yet answered, an event not seen
    /// before, a lifecycle change that applies to the current state.
    /// </summary>
    public bool IsRelevant(HistoryEvent e)
    {
        if (Completion is not null)
        {
            // Events that arrive after ContinueAsNew (same batch) still belong to the next generation.
            return Completion.Status == OrchestrationRuntimeStatus.ContinuedAsNew && _continueAsNewPreserveEvents &&
                e is EventRaisedEvent late && !_seenEventIds.Contains(late.EventId);
        }

        return e switch
        {
            ExecutionStartedEvent => !IsStarted,
            TimerFiredEvent { TimerId: TimerFiredEvent.StartTimerId } => _awaitingStart,
            TaskCompletedEvent c => IsOpen(c.TaskScheduledId, TaskKind.Activity),
            TaskFailedEvent f => IsOpen(f.TaskScheduledId, TaskKind.Activity),
            TimerFiredEvent t => IsOpen(t.TimerId, TaskKind.Timer),
            SubOrchestrationCompletedEvent c => IsOpen(c.TaskScheduledId, TaskKind.SubOrchestration),
            SubOrchestrationFailedEvent f => IsOpen(f.TaskScheduledId, TaskKind.SubOrchestration),
            EventRaisedEvent r => IsStarted && !_seenEventIds.Contains(r.EventId),
            ExecutionSuspendedEvent => IsStarted && !IsSuspended,
            ExecutionResumedEvent => IsSuspended,
            ExecutionTerminatedEvent => IsStarted,
            _ => false,
        };
    }

    /// <summary>Marks the calling thread as the one applying events (see <see cref="OrchestrationTaskScheduler"/>).</summary>
    public void BeginEpisode(Func<string?, string?> resolvePayload)
    {
        _resolve = resolvePayload;

        // A caller's synchronization context would capture the orchestrator's awaits instead of our scheduler.
        _savedContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        _scheduler.BeginEpisode();
    }

    public void EndEpisode()
    {
        _scheduler.EndEpisode();
        SynchronizationContext.SetSynchronizationContext(_savedContext);
        _savedContext = null;
        _resolve = static value => value;
    }

    /// <summary>Applies one history event; <paramref name="replaying"/> says whether it is from stored history.</summary>
    public void Apply(HistoryEvent e, bool replaying)
    {
        IsReplaying = replaying;
        EventsApplied++;
        if (Completion is { Status: OrchestrationRuntimeStatus.ContinuedAsNew } && e is EventRaisedEvent late)
        {
            if (_continueAsNewPreserveEvents && _seenEventIds.Add(late.EventId))
            {
                _carried.Add(late);
            }

            return;
        }

        switch (e)
        {
            case OrchestratorStartedEvent:
                CurrentUtcDateTime = DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc);
                break;
            case ExecutionStartedEvent started:
                ApplyExecutionStarted(started);
                break;
            case TimerFiredEvent { TimerId: TimerFiredEvent.StartTimerId }:
                if (_awaitingStart)
                {
                    StartCode();
                }

                break;
            case TaskScheduledEvent scheduled:
                Match(scheduled.EventId, a => a is ScheduleActivityAction s && NameEquals(s.Name, scheduled.Name), $"activity '{scheduled.Name}'");
                break;
            case TimerCreatedEvent created:
                Match(created.EventId, a => a is CreateTimerAction, "a timer");
                break;
            case SubOrchestrationCreatedEvent sub:
                Match(sub.EventId, a => a is StartSubOrchestrationAction s && NameEquals(s.Name, sub.Name), $"sub-orchestration '{sub.Name}'");
                break;
            case EventSentEvent sent:
                Match(sent.EventId, a => a is SendEventAction s && NameEquals(s.Name, sent.Name), $"event '{sent.Name}' sent to '{sent.InstanceId}'");
                break;
            case ExecutionSuspendedEvent:
                IsSuspended = true;
                break;
            case ExecutionResumedEvent:
                IsSuspended = false;
                ReleaseHeldEvents(replaying);
                break;
            case ExecutionTerminatedEvent terminated:
                Completion ??= new OrchestrationCompletion(OrchestrationRuntimeStatus.Terminated, PayloadJsonText(terminated.Reason), null, []);
                break;
            case ExecutionCompletedEvent completed:
                // Only seen when replaying a finished execution; the code should have reached the same end.
                Completion ??= new OrchestrationCompletion(completed.Status, completed.Result, completed.Failure, completed.CarriedEvents ?? []);
                break;
            default:
                if (IsSuspended)
                {
                    HoldWhileSuspended(e);
                }
                else
                {
                    Deliver(e);
                }

                break;
        }

        Drain();
    }

    /// <summary>
    /// Ends a replay of stored history: every step the code asked for must have been matched by a recorded
    /// scheduling event.
    /// </summary>
    public void EndReplay()
    {
        if (_unmatched.Count > 0)
        {
            var first = _unmatched.First().Value;
            throw new NonDeterministicOrchestrationException(InstanceId, Name, first.Sequence, expected: null, actual: first.Describe());
        }

        IsReplaying = false;
    }

    /// <summary>Steps the code asked for since the last call, in sequence order.</summary>
    public IReadOnlyList<OrchestratorAction> TakeNewActions()
    {
        if (_newActions.Count == 0)
        {
            return [];
        }

        var actions = _newActions.ToArray();
        _newActions.Clear();
        return actions;
    }

    /// <summary>Whether the timer with this sequence number is still wanted (cancelled timers need no message).</summary>
    public bool IsTimerPending(int sequence) => _open.TryGetValue(sequence, out var open) && open.Kind == TaskKind.Timer;

    /// <summary>
    /// After an episode: if the code is blocked on nothing durable, nothing can ever wake it. Returns the
    /// reason to fail the execution, or null when the execution is healthy.
    /// </summary>
    public string? FindStuckReason()
    {
        if (_scheduler.SawForeignContinuation)
        {
            return $"Orchestrator '{Name}' awaited a task that is not a durable task (Task.Delay, I/O, Task.Run or ConfigureAwait(false)); " +
                "its continuation ran outside the orchestration's replay thread, which breaks determinism. Use context.CreateTimer and activities instead.";
        }

        if (Completion is null && _main is { IsCompleted: false } && _open.Count == 0 && !HasWaiters() && !IsSuspended && !_awaitingStart)
        {
            return $"Orchestrator '{Name}' is waiting on something that is not a durable task (no activity, timer, sub-orchestration or event wait is pending), so it can never continue.";
        }

        return null;
    }

    /// <summary>Fails the execution from outside the code (a determinism error, a stuck orchestrator).</summary>
    public void FailFromRuntime(Exception exception) =>
        Completion ??= new OrchestrationCompletion(OrchestrationRuntimeStatus.Failed, null, FailureDetails.FromException(exception), []);

    // ---- called by the context (on the episode thread) ------------------------------------------------

    internal void EnsureOrchestratorThread(string api)
    {
        if (!_scheduler.IsOwnerThread)
        {
            throw new InvalidOperationException(
                $"context.{api} was called outside orchestrator '{Name}''s own code path (from Task.Run, a thread-pool callback or after ConfigureAwait(false)). " +
                "Orchestrator code must stay on the thread the runtime replays it on.");
        }
    }

    internal Task<string?> Schedule(Func<int, OrchestratorAction> create, TaskKind kind, string name, string? childInstanceId = null)
    {
        var sequence = _nextSequence++;
        var action = create(sequence);
        var open = new OpenTask(kind, name, childInstanceId);
        _open[sequence] = open;
        if (IsReplaying)
        {
            _unmatched[sequence] = action;
        }
        else
        {
            _newActions.Add(action);
        }

        return open.Source.Task;
    }

    internal void RecordFireAndForget(Func<int, OrchestratorAction> create)
    {
        var sequence = _nextSequence++;
        var action = create(sequence);
        if (IsReplaying)
        {
            _unmatched[sequence] = action;
        }
        else
        {
            _newActions.Add(action);
        }
    }

    internal void CancelTimer(int sequence)
    {
        if (_open.Remove(sequence, out var open))
        {
            open.Source.TrySetCanceled();
        }
    }

    internal Task<string?> WaitForEvent(string name, CancellationToken cancellationToken)
    {
        if (_buffered.TryGetValue(name, out var queue) && queue.Count > 0)
        {
            var buffered = queue.Dequeue();
            return Task.FromResult(buffered.Value);
        }

        var waiter = new EventWaiter();
        if (!_waiters.TryGetValue(name, out var waiters))
        {
            waiters = new Queue<EventWaiter>();
            _waiters[name] = waiters;
        }

        waiters.Enqueue(waiter);
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(static state =>
            {
                var w = (EventWaiter)state!;
                w.Cancelled = true;
                w.Source.TrySetCanceled();
            }, waiter);
        }

        return waiter.Source.Task;
    }

    internal bool TryTakeBufferedEvent(string name, out string? value)
    {
        if (_buffered.TryGetValue(name, out var queue) && queue.Count > 0)
        {
            value = queue.Dequeue().Value;
            return true;
        }

        value = null;
        return false;
    }

    internal void SetCustomStatus(string? json) => CustomStatus = json;

    internal void RequestContinueAsNew(string? input, bool preserveEvents)
    {
        _continueAsNewInput = input;
        _continueAsNewPreserveEvents = preserveEvents;
        ContinueAsNewRequested = true;
    }

    internal bool ContinueAsNewRequested { get; private set; }

    internal Guid NewGuid()
    {
        var name = string.Concat(
            InstanceId,
            "_",
            CurrentUtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            "_",
            _guidCounter.ToString(CultureInfo.InvariantCulture));
        _guidCounter++;
        return DeterministicGuid.Create(DeterministicGuid.DurableNamespace, name);
    }

    internal string? SerializePayload(object? value) => value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Json);

    // ---- internals ------------------------------------------------------------------------------------

    private void ApplyExecutionStarted(ExecutionStartedEvent started)
    {
        IsStarted = true;
        ExecutionId = started.ExecutionId;
        Name = started.Name;
        Version = started.Version;
        Parent = started.Parent;
        _input = _resolve(started.Input);
        if (started.ScheduledStartTime is { } at && at > CurrentUtcDateTime)
        {
            _awaitingStart = true;
            PendingStartTime = DateTime.SpecifyKind(at, DateTimeKind.Utc);
            return;
        }

        StartCode();
    }

    private void StartCode()
    {
        _awaitingStart = false;
        PendingStartTime = null;
        if (!_registry.TryGetOrchestrator(Name, out var registration))
        {
            Completion = new OrchestrationCompletion(
                OrchestrationRuntimeStatus.Failed,
                null,
                new FailureDetails(
                    "MiniGpt5.Durable.OrchestratorNotRegistered",
                    $"No orchestrator named '{Name}' is registered in this worker. Registered: {string.Join(", ", _registry.OrchestratorNames.Order(StringComparer.Ordinal))}."),
                []);
            return;
        }

        var runner = registration.CreateRunner(_services);
        var input = _input;
        _main = Task.Factory.StartNew(
            () => runner.RunAsync(_context, input, Json),
            CancellationToken.None,
            TaskCreationOptions.None,
            _scheduler).Unwrap();
    }

    private void Match(int sequence, Func<OrchestratorAction, bool> matches, string expected)
    {
        if (!_unmatched.Remove(sequence, out var action))
        {
            throw new NonDeterministicOrchestrationException(InstanceId, Name, sequence, expected, actual: null);
        }

        if (!matches(action))
        {
            throw new NonDeterministicOrchestrationException(InstanceId, Name, sequence, expected, action.Describe());
        }
    }

    private void Deliver(HistoryEvent e)
    {
        switch (e)
        {
            case TaskCompletedEvent c when Take(c.TaskScheduledId, TaskKind.Activity) is { } open:
                open.Source.TrySetResult(_resolve(c.Result));
                break;
            case TaskFailedEvent f when Take(f.TaskScheduledId, TaskKind.Activity) is { } open:
                open.Source.TrySetException(new TaskFailedException(open.Name, f.TaskScheduledId, f.Failure));
                break;
            case TimerFiredEvent t when Take(t.TimerId, TaskKind.Timer) is { } open:
                open.Source.TrySetResult(null);
                break;
            case SubOrchestrationCompletedEvent c when Take(c.TaskScheduledId, TaskKind.SubOrchestration) is { } open:
                open.Source.TrySetResult(_resolve(c.Result));
                break;
            case SubOrchestrationFailedEvent f when Take(f.TaskScheduledId, TaskKind.SubOrchestration) is { } open:
                open.Source.TrySetException(new TaskFailedException(open.Name, f.TaskScheduledId, f.Failure, open.ChildInstanceId));
                break;
            case EventRaisedEvent raised:
                DeliverEvent(raised);
                break;
        }
    }

    private void DeliverEvent(EventRaisedEvent raised)
    {
        _seenEventIds.Add(raised.EventId);
        var value = _resolve(raised.Input);
        if (_waiters.TryGetValue(raised.Name, out var waiters))
        {
            while (waiters.Count > 0)
            {
                var waiter = waiters.Dequeue();
                if (waiter.Cancelled)
                {
                    continue;
                }

                waiter.Registration.Dispose();
                waiter.Source.TrySetResult(value);
                return;
            }
        }

        if (!_buffered.TryGetValue(raised.Name, out var queue))
        {
            queue = new Queue<BufferedEvent>();
            _buffered[raised.Name] = queue;
        }

        queue.Enqueue(new BufferedEvent(raised, value, _bufferedCounter++));
    }

    private void HoldWhileSuspended(HistoryEvent e)
    {
        // The event is in history; it reaches the code when the instance is resumed (same order on replay).
        switch (e)
        {
            case TaskCompletedEvent c:
                MarkAnswered(c.TaskScheduledId);
                break;
            case TaskFailedEvent f:
                MarkAnswered(f.TaskScheduledId);
                break;
            case TimerFiredEvent t:
                MarkAnswered(t.TimerId);
                break;
            case SubOrchestrationCompletedEvent c:
                MarkAnswered(c.TaskScheduledId);
                break;
            case SubOrchestrationFailedEvent f:
                MarkAnswered(f.TaskScheduledId);
                break;
            case EventRaisedEvent r:
                _seenEventIds.Add(r.EventId);
                break;
        }

        _heldWhileSuspended.Add(e);
    }

    private void ReleaseHeldEvents(bool replaying)
    {
        var held = _heldWhileSuspended.ToArray();
        _heldWhileSuspended.Clear();
        foreach (var e in held)
        {
            IsReplaying = replaying;
            Deliver(e);
            Drain();
        }
    }

    private void MarkAnswered(int sequence)
    {
        if (_open.TryGetValue(sequence, out var open))
        {
            open.Answered = true;
        }
    }

    private bool IsOpen(int sequence, TaskKind kind) =>
        _open.TryGetValue(sequence, out var open) && open.Kind == kind && !open.Answered;

    private OpenTask? Take(int sequence, TaskKind kind)
    {
        if (_open.TryGetValue(sequence, out var open) && open.Kind == kind)
        {
            _open.Remove(sequence);
            return open;
        }

        return null;
    }

    private bool HasWaiters()
    {
        foreach (var queue in _waiters.Values)
        {
            foreach (var waiter in queue)
            {
                if (!waiter.Cancelled)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void Drain()
    {
        _scheduler.RunUntilIdle();
        if (Completion is not null || _main is not { IsCompleted: true } main)
        {
            return;
        }

        if (main.IsFaulted)
        {
            var error = main.Exception!.InnerExceptions.Count == 1 ? main.Exception.InnerExceptions[0] : main.Exception;
            Completion = new OrchestrationCompletion(OrchestrationRuntimeStatus.Failed, null, FailureDetails.FromException(error), []);
        }
        else if (main.IsCanceled)
        {
            Completion = new OrchestrationCompletion(
                OrchestrationRuntimeStatus.Failed,
                null,
                new FailureDetails(typeof(TaskCanceledException).FullName!, $"Orchestrator '{Name}' ended with a cancelled task."),
                []);
        }
        else if (ContinueAsNewRequested)
        {
            Completion = new OrchestrationCompletion(
                OrchestrationRuntimeStatus.ContinuedAsNew,
                _continueAsNewInput,
                null,
                _continueAsNewPreserveEvents ? CollectUnprocessedEvents() : []);
        }
        else
        {
            Completion = new OrchestrationCompletion(OrchestrationRuntimeStatus.Completed, main.Result, null, []);
        }
    }

    private List<EventRaisedEvent> CollectUnprocessedEvents()
    {
        _carried = _buffered.Values.SelectMany(q => q).OrderBy(b => b.Order).Select(b => b.Event).ToList();
        _carried.AddRange(_heldWhileSuspended.OfType<EventRaisedEvent>());
        return _carried;
    }

    private string? PayloadJsonText(string? text) => text is null ? null : JsonSerializer.Serialize(text, Json);

    private static bool NameEquals(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    internal enum TaskKind
    {
        Activity,
        Timer,
        SubOrchestration,
    }

    private sealed class OpenTask(TaskKind kind, string name, string? childInstanceId)
    {
        public TaskKind Kind { get; } = kind;

        public string Name { get; } = name;

        public string? ChildInstanceId { get; } = childInstanceId;

        public bool Answered { get; set; }

        // Continuations must not run inline inside TrySetResult: they go to the orchestration scheduler.
        public TaskCompletionSource<string?> Source { get; } = new(TaskCreationOptions.None);
    }

    private sealed class EventWaiter
    {
        public TaskCompletionSource<string?> Source { get; } = new(TaskCreationOptions.None);

        public bool Cancelled { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed record BufferedEvent(EventRaisedEvent Event, string? Value, long Order);
}
