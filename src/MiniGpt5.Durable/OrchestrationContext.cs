using Microsoft.Extensions.Logging;

namespace MiniGpt5.Durable;

/// <summary>
/// The orchestrator's only door to the world. Every method records a step in the history, so on replay the
/// same calls return the recorded results instead of running again. Call these only from the orchestrator's
/// own code path (never from <c>Task.Run</c> or after <c>ConfigureAwait(false)</c>).
/// </summary>
public abstract class OrchestrationContext
{
    /// <summary>The instance id.</summary>
    public abstract string InstanceId { get; }

    /// <summary>The current execution (generation) id; ContinueAsNew starts a new one.</summary>
    public abstract string ExecutionId { get; }

    /// <summary>The orchestrator name.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The workflow version stamped on this instance when it was scheduled (or the orchestrator's registered
    /// version). Branch on it to change code without breaking instances already in flight.
    /// </summary>
    public abstract string Version { get; }

    /// <summary>The parent orchestration, when this one runs as a sub-orchestration.</summary>
    public abstract ParentOrchestrationInfo? Parent { get; }

    /// <summary>
    /// Deterministic "now": the time the current episode started, as recorded in history. Use it instead of
    /// <see cref="DateTime.UtcNow"/>.
    /// </summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    /// <summary>True while the code is being replayed from history (side effects such as logs should be skipped).</summary>
    public abstract bool IsReplaying { get; }

    /// <summary>Schedules an activity and returns its result.</summary>
    /// <exception cref="TaskFailedException">The activity failed (after its retry policy gave up).</exception>
    public abstract Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, ActivityOptions? options = null);

    /// <summary>Schedules an activity whose result is not needed.</summary>
    public Task CallActivityAsync(string name, object? input = null, ActivityOptions? options = null) =>
        CallActivityAsync<object?>(name, input, options);

    /// <summary>Starts a sub-orchestration and returns its output.</summary>
    /// <exception cref="TaskFailedException">The child failed or was terminated (after the retry policy gave up).</exception>
    public abstract Task<TResult> CallSubOrchestratorAsync<TResult>(string name, object? input = null, SubOrchestrationOptions? options = null);

    /// <summary>Starts a sub-orchestration whose output is not needed.</summary>
    public Task CallSubOrchestratorAsync(string name, object? input = null, SubOrchestrationOptions? options = null) =>
        CallSubOrchestratorAsync<object?>(name, input, options);

    /// <summary>A durable timer that fires at <paramref name="fireAt"/> (UTC). Cancelling the token cancels the timer.</summary>
    public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken = default);

    /// <summary>A durable timer that fires <paramref name="delay"/> after <see cref="CurrentUtcDateTime"/>.</summary>
    public Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken = default) =>
        CreateTimer(CurrentUtcDateTime + delay, cancellationToken);

    /// <summary>
    /// Waits for an event raised with <c>RaiseEventAsync</c> (names compare case-insensitively). Events that
    /// arrived before the wait are buffered and delivered in order.
    /// </summary>
    public abstract Task<T> WaitForExternalEvent<T>(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits for an event, at most <paramref name="timeout"/> of orchestration time.
    /// </summary>
    /// <exception cref="TimeoutException">No such event arrived in time.</exception>
    public abstract Task<T> WaitForExternalEvent<T>(string name, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Raises an event on another instance (fire and forget, recorded once).</summary>
    public abstract void SendEvent(string instanceId, string name, object? data = null);

    /// <summary>
    /// Ends this execution when the orchestrator returns and starts a fresh one with <paramref name="newInput"/>
    /// and an empty history. With <paramref name="preserveUnprocessedEvents"/>, events that arrived but were not
    /// consumed are carried into the new execution.
    /// </summary>
    public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);

    /// <summary>Sets the status callers see (for example progress counters); serialized to JSON at each checkpoint.</summary>
    public abstract void SetCustomStatus(object? customStatus);

    /// <summary>
    /// A GUID that is the same on every replay: a name-based (version 5) UUID over
    /// <c>{instanceId}_{CurrentUtcDateTime:o}_{counter}</c>.
    /// </summary>
    public abstract Guid NewGuid();

    /// <summary>A logger that writes only when the code is not replaying.</summary>
    public abstract ILogger CreateReplaySafeLogger(ILogger logger);

    /// <summary>A replay-safe logger for a category, from the host's logger factory.</summary>
    public abstract ILogger CreateReplaySafeLogger(string categoryName);
}
