using System.Diagnostics;
using MiniGpt5.Durable.History;
using MiniGpt5.Durable.Replay;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// Runs one episode of one instance: every control message the partition holds for it, applied in one go.
/// Order of a checkpoint, and why:
/// (1) append the episode's events to the history blob at the expected position — the commit point; a rival
/// writer makes this fail and we abandon without having sent anything (no split-brain side effects);
/// (2) send the outbound messages the new events imply (activities, timers, children, parent notices);
/// (3) write the status document, which also records that checkpoint's messages as sent;
/// (4) delete the inbound messages.
/// A crash after (1) leaves the inbound messages to come back; the next (cold) episode finds the checkpoint
/// not marked sent and sends its messages again. Receivers de-duplicate by task id, timer id, event id and
/// execution id, so at-least-once delivery never applies a completion twice.
/// </summary>
internal sealed class EpisodeRunner(DurableTaskHub hub, DurableTaskRegistry registry, IServiceProvider services, SessionCache cache)
{
    private const string PoisonFailureType = "MiniGpt5.Durable.PoisonMessage";

    public async Task RunAsync(string instanceId, IReadOnlyList<ReceivedMessage<ControlMessage>> batch, CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var state = cache.Take(instanceId);
        var episode = new Episode(state is null);
        try
        {
            if (state is null)
            {
                state = await LoadAsync(instanceId, episode, cancellationToken);
            }

            bool keep;
            try
            {
                keep = await ProcessAsync(state, batch, episode, cancellationToken);
            }
            catch (StaleStateException)
            {
                // Someone else moved this history on: forget the cached state and do the episode again from storage.
                episode = new Episode(cold: true);
                state = await LoadAsync(instanceId, episode, cancellationToken);
                keep = await ProcessAsync(state, batch, episode, cancellationToken);
            }

            if (keep && !state.IsTerminal)
            {
                cache.Put(state);
            }

            hub.Metrics.Episode(episode.Applied, episode.Replayed, episode.Cold, Stopwatch.GetElapsedTime(startedAt));
            hub.Signals.Notify(InstanceSignal(instanceId));
            if (state.IsTerminal)
            {
                hub.Signals.Notify(TerminalSignal(instanceId));
            }
        }
        catch (CheckpointConflictException e)
        {
            cache.Remove(instanceId);
            hub.Metrics.Conflict();
            DurableLog.CheckpointConflict(hub.Logger, instanceId, e.Message);
            await AbandonAllAsync(batch, TimeSpan.Zero, graceful: true, CancellationToken.None);
        }
        catch (StatusConflictException)
        {
            cache.Remove(instanceId);
            await AbandonAllAsync(batch, TimeSpan.FromMilliseconds(200), graceful: true, CancellationToken.None);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            cache.Remove(instanceId);
            DurableLog.EpisodeFailed(hub.Logger, e, instanceId, batch.Count);
            var worst = batch.Max(m => m.FailedDeliveries);
            var backoff = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Max(0, worst - 1))));
            await AbandonAllAsync(batch, backoff, graceful: false, CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            cache.Remove(instanceId);
            await AbandonAllAsync(batch, TimeSpan.Zero, graceful: true, CancellationToken.None);
        }
    }

    /// <summary>In-process signal raised after every episode of an instance (clients waiting for it).</summary>
    public static string InstanceSignal(string instanceId) => "i:" + instanceId;

    /// <summary>In-process signal raised when an instance ends (its running activities are cancelled).</summary>
    public static string TerminalSignal(string instanceId) => "t:" + instanceId;

    // ---- loading ----------------------------------------------------------------------------------------

    private async Task<InstanceState> LoadAsync(string instanceId, Episode episode, CancellationToken cancellationToken)
    {
        var state = new InstanceState(instanceId);
        var stored = await hub.Status.ReadAsync(instanceId, cancellationToken);
        state.Status = stored;
        if (stored is null)
        {
            return state;
        }

        var doc = stored.Document;
        state.KnownExecutions.Add(doc.ExecutionId);
        var snapshot = await hub.History.ReadAsync(instanceId, doc.ExecutionId, cancellationToken);
        if (snapshot.Checkpoints.Count == 0)
        {
            state.ExecutionId = doc.ExecutionId;
            state.IsTerminal = doc.Status.IsTerminal();
            return state;
        }

        var projected = StatusProjection.Fold(doc, instanceId, snapshot.Events, snapshot.CustomStatus, snapshot.LastCheckpoint, CountEvents(snapshot));
        var unconfirmed = snapshot.LastCheckpoint > doc.Checkpoint ? snapshot.Checkpoints[^1] : null;

        // Follow ContinueAsNew: the old execution's last event names the next one.
        while (snapshot.Events.LastOrDefault() is ExecutionCompletedEvent { Status: OrchestrationRuntimeStatus.ContinuedAsNew, NextExecutionId: { } next } can)
        {
            var started = snapshot.Events.OfType<ExecutionStartedEvent>().First();
            var nextSnapshot = await hub.History.ReadAsync(instanceId, next, cancellationToken);
            if (nextSnapshot.Checkpoints.Count == 0)
            {
                // Crashed between the two generations: start the next one in this episode.
                var restart = new ExecutionStartedEvent(started.Name, started.Version, next, can.Result, started.Parent) { Timestamp = DateTime.UtcNow };
                state.Status = new StoredStatus(projected, stored.ETag);
                state.BeginExecution(restart);
                episode.PendingStart = [restart, .. can.CarriedEvents ?? []];
                return state;
            }

            projected = StatusProjection.Fold(projected, instanceId, nextSnapshot.Events, nextSnapshot.CustomStatus, nextSnapshot.LastCheckpoint, CountEvents(nextSnapshot));
            snapshot = nextSnapshot;
            unconfirmed = snapshot.Checkpoints[^1];
        }

        state.Status = new StoredStatus(projected, stored.ETag);
        episode.StatusDirty = !SameContent(projected, doc);
        state.ExecutionId = snapshot.ExecutionId;
        state.Started = snapshot.Events.OfType<ExecutionStartedEvent>().First();
        state.HistoryExists = true;
        state.AppendPosition = snapshot.AppendPosition;
        state.Checkpoint = snapshot.LastCheckpoint;
        state.Blocks = snapshot.Blocks;
        state.HistoryEvents = CountEvents(snapshot);
        state.IsTerminal = snapshot.Events.LastOrDefault() is ExecutionCompletedEvent { Status: not OrchestrationRuntimeStatus.ContinuedAsNew };
        state.CustomStatusStored = snapshot.CustomStatus;

        if (unconfirmed is not null)
        {
            var resend = Outbox.FromEvents(hub, instanceId, state.Started, unconfirmed.Events, DateTime.UtcNow);
            if (resend.Count > 0)
            {
                DurableLog.OutboxResend(hub.Logger, instanceId, resend.Count);
                hub.Metrics.Resent(resend.Count);
                episode.Outbox.AddRange(resend);
            }

            episode.StatusDirty = true;
        }

        if (!state.IsTerminal)
        {
            var executor = NewExecutor(instanceId);
            var events = snapshot.Events.ToList();
            var resolve = await PayloadRefs.PrefetchAsync(hub.Payloads, events, hub.Options.MaxStorageConcurrency, cancellationToken);
            executor.BeginEpisode(resolve);
            try
            {
                foreach (var e in events)
                {
                    executor.Apply(e, replaying: true);
                    episode.Replayed++;
                }

                executor.EndReplay();
                state.Executor = executor;
                state.CustomStatusRaw = executor.CustomStatus;
            }
            catch (NonDeterministicOrchestrationException e)
            {
                DurableLog.NonDeterminism(hub.Logger, instanceId, e.Message);
                episode.ReplayFailure = e;
            }
            finally
            {
                executor.EndEpisode();
            }

            episode.Applied += episode.Replayed;
        }

        return state;
    }

    // ---- one episode ------------------------------------------------------------------------------------

    /// <summary>Returns whether the state is still valid for the cache.</summary>
    private async Task<bool> ProcessAsync(InstanceState state, IReadOnlyList<ReceivedMessage<ControlMessage>> batch, Episode episode, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var instanceId = state.InstanceId;
        var processed = new List<ReceivedMessage<ControlMessage>>(batch.Count);
        var deferred = new List<ReceivedMessage<ControlMessage>>();
        var candidates = new List<HistoryEvent>();
        ExecutionStartedEvent? start = null;
        ExecutionTerminatedEvent? terminatePending = null;

        foreach (var message in batch.OrderBy(m => m.Body.Events.Any(e => e is ExecutionStartedEvent) ? 0 : 1))
        {
            var defer = false;
            foreach (var e in message.Body.Events)
            {
                switch (e)
                {
                    case ExecutionStartedEvent s:
                        switch (start is not null ? (s.ExecutionId == start.ExecutionId ? StartDecision.Duplicate : StartDecision.Reject) : DecideStart(state, s, episode))
                        {
                            case StartDecision.Start:
                                start = s;
                                break;
                            case StartDecision.Duplicate:
                                Drop(episode, instanceId, "duplicate start of an execution that already exists");
                                break;
                            default:
                                RejectStart(instanceId, s, episode, now);
                                break;
                        }

                        break;
                    case TimerFiredEvent t when t.FireAt > now:
                        // Arrived early: a long timer chained in hops of MaxTimerDelay, or clock skew.
                        episode.Outbox.Add(Outbox.Timer(hub, hub.ControlQueueOf(instanceId), instanceId, message.Body.ExecutionId ?? state.ExecutionId ?? string.Empty, t.TimerId, t.FireAt, now));
                        break;
                    default:
                        var current = start?.ExecutionId ?? state.ExecutionId;
                        if (state.Status is null && start is null)
                        {
                            Drop(episode, instanceId, $"{e.GetType().Name.Replace("Event", string.Empty, StringComparison.Ordinal)} for an instance that does not exist");
                        }
                        else if (message.Body.ExecutionId is { } target && target != current)
                        {
                            Drop(episode, instanceId, $"message for execution {target}, but the current execution is {current}");
                        }
                        else if (start is null && episode.PendingStart is null && state.IsPendingWithoutHistory)
                        {
                            if (e is ExecutionTerminatedEvent terminated)
                            {
                                terminatePending = terminated;
                            }
                            else
                            {
                                defer = true; // its start message has not been processed yet
                            }
                        }
                        else
                        {
                            candidates.Add(e);
                        }

                        break;
                }
            }

            (defer ? deferred : processed).Add(message);
        }

        var keep = true;
        if (episode.ReplayFailure is { } nonDeterminism)
        {
            await CommitTerminalFailureAsync(state, FailureDetails.FromException(nonDeterminism), episode, now, cancellationToken);
        }
        else if (start is not null)
        {
            await PointStatusAtAsync(state, start, now, cancellationToken);
            state.BeginExecution(start);
            await RunGenerationsAsync(state, [start, .. candidates], episode, now, cancellationToken);
        }
        else if (episode.PendingStart is { } pending)
        {
            await RunGenerationsAsync(state, [.. pending, .. candidates], episode, now, cancellationToken);
        }
        else if (terminatePending is not null && state.Status is { } pendingStatus)
        {
            var doc = pendingStatus.Document with
            {
                Status = OrchestrationRuntimeStatus.Terminated,
                Output = terminatePending.Reason is null ? null : PayloadJson.Serialize(terminatePending.Reason, hub.Json),
                CompletedAt = now,
                LastUpdatedAt = now,
            };
            state.Status = pendingStatus with { Document = doc };
            state.IsTerminal = true;
            episode.StatusDirty = true;
        }
        else if (state.Executor is not null && candidates.Count > 0)
        {
            await RunGenerationsAsync(state, candidates, episode, now, cancellationToken);
        }
        else if (candidates.Count > 0)
        {
            foreach (var e in candidates)
            {
                Drop(episode, instanceId, $"{e.GetType().Name.Replace("Event", string.Empty, StringComparison.Ordinal)} for an instance that is {state.Status?.Document.Status}");
            }
        }

        // A warm episode that committed nothing but judged messages stale must prove its state current first.
        if (episode.Drops.Count > 0 && !episode.Cold && !episode.Committed && !await IsFreshAsync(state, cancellationToken))
        {
            throw new StaleStateException();
        }

        foreach (var (instance, reason) in episode.Drops)
        {
            hub.Metrics.Duplicate();
            DurableLog.MessageDropped(hub.Logger, instance, reason);
        }

        await hub.SendAllAsync(episode.Outbox, cancellationToken);
        if (episode.StatusDirty && state.Status is not null)
        {
            keep = await WriteStatusAsync(state, cancellationToken);
        }

        await DeleteAllAsync(processed, cancellationToken);
        await AbandonAllAsync(deferred, TimeSpan.FromSeconds(1), graceful: false, cancellationToken);
        return keep;
    }

    /// <summary>Applies events to the live execution, commits, and follows ContinueAsNew into new generations.</summary>
    private async Task RunGenerationsAsync(InstanceState state, List<HistoryEvent> inputs, Episode episode, DateTime now, CancellationToken cancellationToken)
    {
        for (var generation = 0; ; generation++)
        {
            if (generation > 1000)
            {
                throw new InvalidOperationException($"Instance '{state.InstanceId}' called ContinueAsNew 1000 times in one episode without waiting for anything.");
            }

            var executor = state.Executor ??= NewExecutor(state.InstanceId);
            var resolve = await PayloadRefs.PrefetchAsync(hub.Payloads, inputs, hub.Options.MaxStorageConcurrency, cancellationToken);
            var started = new OrchestratorStartedEvent { Timestamp = now };
            var events = new List<HistoryEvent>(inputs.Count + 8) { started };
            var appliedBefore = executor.EventsApplied;
            executor.BeginEpisode(resolve);
            try
            {
                executor.Apply(started, replaying: false);
                foreach (var e in inputs)
                {
                    if (executor.IsRelevant(e))
                    {
                        executor.Apply(e, replaying: false);
                        events.Add(e);
                    }
                    else
                    {
                        Drop(episode, state.InstanceId, $"{e.GetType().Name.Replace("Event", string.Empty, StringComparison.Ordinal)} already applied or no longer awaited");
                    }
                }

                if (executor.Completion is null && executor.FindStuckReason() is { } stuck)
                {
                    executor.FailFromRuntime(new InvalidOperationException(stuck));
                }
            }
            finally
            {
                executor.EndEpisode();
            }

            episode.Applied += executor.EventsApplied - appliedBefore;
            var actions = executor.TakeNewActions();
            if (events.Count == 1 && actions.Count == 0 && executor.Completion is null && executor.CustomStatus == state.CustomStatusRaw)
            {
                return; // nothing new: duplicates only
            }

            foreach (var action in actions)
            {
                events.Add(await ToHistoryEventAsync(state.InstanceId, action, now, cancellationToken));
            }

            ExecutionCompletedEvent? completed = null;
            if (state.Blocks + 2 >= HistoryLog.MaxBlocks && executor.Completion is null)
            {
                executor.FailFromRuntime(new InvalidOperationException(
                    $"The history of instance '{state.InstanceId}' reached {HistoryLog.MaxBlocks} checkpoints, the most one execution can hold. Use ContinueAsNew to keep eternal orchestrations small."));
            }

            if (executor.Completion is { } end)
            {
                var output = await hub.Payloads.OffloadIfLargeAsync(state.InstanceId, end.Output, cancellationToken);
                completed = end.Status == OrchestrationRuntimeStatus.ContinuedAsNew
                    ? new ExecutionCompletedEvent(end.Status, output, null, Guid.NewGuid().ToString("N"), end.CarriedEvents) { Timestamp = now }
                    : new ExecutionCompletedEvent(end.Status, output, end.Failure) { Timestamp = now };
                events.Add(completed);
            }

            if (executor.CustomStatus != state.CustomStatusRaw)
            {
                state.CustomStatusRaw = executor.CustomStatus;
                state.CustomStatusStored = await hub.Payloads.OffloadIfLargeAsync(state.InstanceId, executor.CustomStatus, cancellationToken);
            }

            await CommitAsync(state, events, episode, now, e => executor.IsTimerPending(e), cancellationToken);
            if (completed is { Status: OrchestrationRuntimeStatus.ContinuedAsNew, NextExecutionId: { } next })
            {
                var previous = state.Started!;
                var restart = new ExecutionStartedEvent(previous.Name, previous.Version, next, completed.Result, previous.Parent) { Timestamp = now };
                state.BeginExecution(restart);
                inputs = [restart, .. completed.CarriedEvents ?? []];
                continue;
            }

            if (completed is not null)
            {
                state.IsTerminal = true;
                state.Executor = null;
            }

            return;
        }
    }

    /// <summary>Appends one checkpoint, queues its outbound messages and folds it into the status document.</summary>
    private async Task CommitAsync(InstanceState state, List<HistoryEvent> events, Episode episode, DateTime now, Func<int, bool>? timerWanted, CancellationToken cancellationToken)
    {
        // Obligations from before this checkpoint (resends of an unconfirmed one, refusals) go out first:
        // only the newest checkpoint may ever be unsent, so a cold worker needs to resend just that one.
        if (episode.Outbox.Count > 0)
        {
            await hub.SendAllAsync(episode.Outbox, cancellationToken);
            episode.Outbox.Clear();
        }

        var result = await hub.History.AppendAsync(
            state.InstanceId,
            state.ExecutionId!,
            state.AppendPosition,
            state.Checkpoint + 1,
            events,
            state.CustomStatusStored,
            cancellationToken);
        episode.Committed = true;
        state.HistoryExists = true;
        state.AppendPosition = result.NewPosition;
        state.Checkpoint++;
        state.Blocks += result.BlocksWritten;
        state.HistoryEvents += events.Count;
        state.Started ??= events.OfType<ExecutionStartedEvent>().First();

        // Send this checkpoint's messages before the next generation commits: only the last checkpoint may be unsent.
        await hub.SendAllAsync(Outbox.FromEvents(hub, state.InstanceId, state.Started, events, now, timerWanted), cancellationToken);

        var previous = state.Status?.Document;
        var doc = StatusProjection.Fold(previous, state.InstanceId, events, state.CustomStatusStored, state.Checkpoint, state.HistoryEvents);
        state.Status = new StoredStatus(doc, state.Status?.ETag ?? string.Empty);
        episode.StatusDirty = true;
    }

    private async Task CommitTerminalFailureAsync(InstanceState state, FailureDetails failure, Episode episode, DateTime now, CancellationToken cancellationToken)
    {
        var events = new List<HistoryEvent>
        {
            new OrchestratorStartedEvent { Timestamp = now },
            new ExecutionCompletedEvent(OrchestrationRuntimeStatus.Failed, null, failure) { Timestamp = now },
        };
        await CommitAsync(state, events, episode, now, null, cancellationToken);
        state.IsTerminal = true;
        state.Executor = null;
    }

    // ---- starts -----------------------------------------------------------------------------------------

    private static StartDecision DecideStart(InstanceState state, ExecutionStartedEvent s, Episode episode)
    {
        if (state.Status is null)
        {
            return StartDecision.Start;
        }

        if (episode.PendingStart is not null)
        {
            return s.ExecutionId == state.ExecutionId ? StartDecision.Duplicate : StartDecision.Reject;
        }

        var doc = state.Status.Document;
        if (s.ExecutionId == state.ExecutionId || s.ExecutionId == doc.ExecutionId)
        {
            return state.HistoryExists || state.IsTerminal ? StartDecision.Duplicate : StartDecision.Start;
        }

        return state.IsTerminal ? StartDecision.Start : StartDecision.Reject;
    }

    private void RejectStart(string instanceId, ExecutionStartedEvent s, Episode episode, DateTime now)
    {
        Drop(episode, instanceId, $"start of execution {s.ExecutionId} refused: the instance is already running another execution");
        if (s.Parent is { } parent)
        {
            episode.Outbox.Add(new OutboundMessage(
                hub.ControlQueueOf(parent.InstanceId),
                parent.InstanceId,
                new ControlMessage(
                    parent.InstanceId,
                    parent.ExecutionId,
                    [
                        new SubOrchestrationFailedEvent(
                            parent.TaskId,
                            new FailureDetails(
                                "MiniGpt5.Durable.OrchestrationAlreadyExists",
                                $"Sub-orchestration instance '{instanceId}' already exists and is not finished; pick another instance id."))
                        {
                            Timestamp = now,
                        },
                    ],
                    now)));
        }
    }

    /// <summary>
    /// Before a new execution's first commit, the status document must name it (create-only, or over the ETag
    /// of the finished execution it replaces); a client racing to start the same id loses or wins here.
    /// </summary>
    private async Task PointStatusAtAsync(InstanceState state, ExecutionStartedEvent start, DateTime now, CancellationToken cancellationToken)
    {
        if (state.Status?.Document.ExecutionId == start.ExecutionId)
        {
            return; // the client wrote the pending document before sending the start
        }

        var pointer = new InstanceStatusDocument
        {
            InstanceId = state.InstanceId,
            Name = start.Name,
            Version = start.Version,
            ExecutionId = start.ExecutionId,
            Status = OrchestrationRuntimeStatus.Pending,
            CreatedAt = now,
            LastUpdatedAt = now,
            ScheduledStartAt = start.ScheduledStartTime,
            Input = start.Input,
            Parent = start.Parent,
        };
        try
        {
            var etag = await hub.Status.WriteAsync(pointer, state.Status?.ETag, cancellationToken);
            state.Status = new StoredStatus(pointer, etag);
        }
        catch (Exception e) when (e is BlobAlreadyExistsException or BlobConditionFailedException or BlobNotFoundException)
        {
            throw new StatusConflictException($"Status of instance '{state.InstanceId}' changed while execution {start.ExecutionId} was starting.", e);
        }
    }

    // ---- status -----------------------------------------------------------------------------------------

    /// <summary>Writes the status document over the ETag we hold; returns false when the instance moved on without us.</summary>
    private async Task<bool> WriteStatusAsync(InstanceState state, CancellationToken cancellationToken)
    {
        var doc = state.Status!.Document with { LastUpdatedAt = DateTime.UtcNow };
        var etag = string.IsNullOrEmpty(state.Status.ETag) ? null : state.Status.ETag;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            try
            {
                var written = await hub.Status.WriteAsync(doc, etag, cancellationToken);
                state.Status = new StoredStatus(doc, written);
                return true;
            }
            catch (Exception e) when (e is BlobAlreadyExistsException or BlobConditionFailedException or BlobNotFoundException)
            {
                var current = await hub.Status.ReadAsync(state.InstanceId, cancellationToken);
                if (current is null)
                {
                    etag = null;
                    continue;
                }

                var theirs = current.Document;
                if (!state.KnownExecutions.Contains(theirs.ExecutionId))
                {
                    DurableLog.StatusSuperseded(hub.Logger, state.InstanceId, theirs.ExecutionId, doc.ExecutionId);
                    return false;
                }

                if (theirs.ExecutionId == doc.ExecutionId && theirs.Checkpoint > doc.Checkpoint)
                {
                    return false; // a newer writer of the same execution got further; our view is stale
                }

                if (SameContent(theirs, doc))
                {
                    state.Status = current;
                    return true;
                }

                etag = current.ETag;
            }
        }

        throw new StatusConflictException($"Status of instance '{state.InstanceId}' kept changing while it was being written.", null);
    }

    private static bool SameContent(InstanceStatusDocument a, InstanceStatusDocument b) =>
        a with { LastUpdatedAt = default } == b with { LastUpdatedAt = default };

    // ---- helpers ----------------------------------------------------------------------------------------

    private OrchestrationExecutor NewExecutor(string instanceId) =>
        new(instanceId, registry, services, hub.Json, hub.LoggerFactory);

    private async Task<HistoryEvent> ToHistoryEventAsync(string instanceId, OrchestratorAction action, DateTime now, CancellationToken cancellationToken) => action switch
    {
        ScheduleActivityAction a => new TaskScheduledEvent(a.Sequence, a.Name, await hub.Payloads.OffloadIfLargeAsync(instanceId, a.Input, cancellationToken), a.TaskQueue, a.Attempt) { Timestamp = now },
        CreateTimerAction t => new TimerCreatedEvent(t.Sequence, t.FireAt) { Timestamp = now },
        StartSubOrchestrationAction s => new SubOrchestrationCreatedEvent(s.Sequence, s.Name, s.Version, s.InstanceId, s.ExecutionId, await hub.Payloads.OffloadIfLargeAsync(instanceId, s.Input, cancellationToken)) { Timestamp = now },
        SendEventAction x => new EventSentEvent(x.Sequence, x.InstanceId, x.Name, await hub.Payloads.OffloadIfLargeAsync(instanceId, x.Input, cancellationToken)) { Timestamp = now },
        _ => throw new InvalidOperationException($"Unknown action {action.GetType().Name}."),
    };

    /// <summary>Records a message (or event) judged duplicate or stale; logged once the judgement is known to be sound.</summary>
    private static void Drop(Episode episode, string instanceId, string reason) => episode.Drops.Add((instanceId, reason));

    /// <summary>
    /// Whether the cached state still matches storage: the history blob is exactly as long as we believe. A
    /// warm cache goes stale when another worker committed to this history (a partition that moved and came
    /// back, or a split brain); judging messages irrelevant against a stale state would delete a result the
    /// orchestration still waits for. Messages are sent only after the history that makes them valid is
    /// committed, so a check made after receiving them sees everything they depend on.
    /// </summary>
    private async Task<bool> IsFreshAsync(InstanceState state, CancellationToken cancellationToken)
    {
        if (state.ExecutionId is null || !state.HistoryExists)
        {
            return false;
        }

        try
        {
            var properties = await hub.Retry.RunAsync(
                "check history length",
                ct => hub.Blobs.GetPropertiesAsync(hub.Names.HistoryContainer, TaskHubNames.HistoryBlob(state.InstanceId, state.ExecutionId), ct),
                cancellationToken);
            return properties.ContentLength == state.AppendPosition;
        }
        catch (BlobNotFoundException)
        {
            return false;
        }
    }

    private static int CountEvents(HistorySnapshot snapshot) => snapshot.Checkpoints.Sum(c => c.Events.Count);

    private async Task DeleteAllAsync(List<ReceivedMessage<ControlMessage>> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        await Parallel.ForEachAsync(
            messages,
            new ParallelOptions { MaxDegreeOfParallelism = hub.Options.MaxStorageConcurrency, CancellationToken = cancellationToken },
            async (message, ct) => await hub.DeleteMessageAsync(message, ct));
    }

    private async Task AbandonAllAsync(IReadOnlyList<ReceivedMessage<ControlMessage>> messages, TimeSpan delay, bool graceful, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            await hub.AbandonMessageAsync(message, delay, graceful, cancellationToken);
        }
    }

    private enum StartDecision
    {
        Start,
        Duplicate,
        Reject,
    }

    /// <summary>Scratch state of one episode.</summary>
    private sealed class Episode(bool cold)
    {
        public bool Cold { get; } = cold;

        public long Replayed { get; set; }

        public long Applied { get; set; }

        public bool StatusDirty { get; set; }

        public NonDeterministicOrchestrationException? ReplayFailure { get; set; }

        public List<HistoryEvent>? PendingStart { get; set; }

        public List<OutboundMessage> Outbox { get; } = [];

        public List<(string InstanceId, string Reason)> Drops { get; } = [];

        public bool Committed { get; set; }
    }
}

/// <summary>The cached state of an instance turned out to be behind its stored history.</summary>
internal sealed class StaleStateException : Exception
{
    public StaleStateException()
        : base("The cached orchestration state is behind the stored history.")
    {
    }
}

/// <summary>The status document changed under us in a way that needs a fresh look; the episode is retried.</summary>
internal sealed class StatusConflictException(string message, Exception? inner) : Exception(message, inner);
