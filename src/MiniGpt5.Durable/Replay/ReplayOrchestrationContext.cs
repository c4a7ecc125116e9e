using System.Globalization;
using Microsoft.Extensions.Logging;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Replay;

/// <summary>
/// The <see cref="OrchestrationContext"/> the runtime hands to orchestrator code. Every call becomes a numbered
/// step in <see cref="OrchestrationExecutor"/>; the async helpers here (typed results, retries, event timeouts)
/// run on the orchestration scheduler, so they are replayed exactly like user code.
/// </summary>
internal sealed class ReplayOrchestrationContext(OrchestrationExecutor executor) : OrchestrationContext
{
    public override string InstanceId => executor.InstanceId;

    public override string ExecutionId => executor.ExecutionId;

    public override string Name => executor.Name;

    public override string Version => executor.Version;

    public override ParentOrchestrationInfo? Parent => executor.Parent;

    public override DateTime CurrentUtcDateTime => executor.CurrentUtcDateTime;

    public override bool IsReplaying => executor.IsReplaying;

    public override Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, ActivityOptions? options = null)
    {
        executor.EnsureOrchestratorThread(nameof(CallActivityAsync));
        DurableTaskRegistry.ValidateName(name, "activity");
        var taskQueue = TaskHubNames.ValidateTaskQueue(options?.TaskQueue ?? executor.Registry.DefaultTaskQueueFor(name));
        var inputJson = executor.SerializePayload(input);
        Task<string?> Attempt(int attempt) => executor.Schedule(
            sequence => new ScheduleActivityAction(sequence, name, inputJson, taskQueue, attempt),
            OrchestrationExecutor.TaskKind.Activity,
            name);

        var raw = options?.Retry is { } retry ? WithRetry(retry, Attempt) : Attempt(1);
        return Typed<TResult>(raw);
    }

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(string name, object? input = null, SubOrchestrationOptions? options = null)
    {
        executor.EnsureOrchestratorThread(nameof(CallSubOrchestratorAsync));
        DurableTaskRegistry.ValidateName(name, "orchestrator");
        var childId = options?.InstanceId is { } explicitId
            ? TaskHubNames.ValidateInstanceId(explicitId)
            : $"{InstanceId}:{executor.NextSequence.ToString("X4", CultureInfo.InvariantCulture)}";
        var version = options?.Version
            ?? (executor.Registry.TryGetOrchestrator(name, out var registration) ? registration.Version : string.Empty);
        var inputJson = executor.SerializePayload(input);
        Task<string?> Attempt(int attempt) => executor.Schedule(
            sequence => new StartSubOrchestrationAction(
                sequence,
                name,
                version,
                childId,
                DeterministicGuid.Create(DeterministicGuid.DurableNamespace, $"{InstanceId}_{ExecutionId}_{sequence}").ToString("N"),
                inputJson),
            OrchestrationExecutor.TaskKind.SubOrchestration,
            name,
            childId);

        var raw = options?.Retry is { } retry ? WithRetry(retry, Attempt) : Attempt(1);
        return Typed<TResult>(raw);
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken = default)
    {
        executor.EnsureOrchestratorThread(nameof(CreateTimer));
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var utc = fireAt.Kind == DateTimeKind.Local ? fireAt.ToUniversalTime() : DateTime.SpecifyKind(fireAt, DateTimeKind.Utc);
        var sequence = executor.NextSequence;
        var task = executor.Schedule(s => new CreateTimerAction(s, utc), OrchestrationExecutor.TaskKind.Timer, "timer");
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => executor.CancelTimer(sequence));
            _ = task.ContinueWith(static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return task;
    }

    public override Task<T> WaitForExternalEvent<T>(string name, CancellationToken cancellationToken = default)
    {
        executor.EnsureOrchestratorThread(nameof(WaitForExternalEvent));
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Typed<T>(executor.WaitForEvent(name, cancellationToken));
    }

    public override Task<T> WaitForExternalEvent<T>(string name, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        executor.EnsureOrchestratorThread(nameof(WaitForExternalEvent));
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative.");
        }

        // An event that already arrived needs no timer (deterministic: the buffer is rebuilt by replay).
        if (executor.TryTakeBufferedEvent(name, out var buffered))
        {
            return Task.FromResult(PayloadJson.Deserialize<T>(buffered, executor.Json));
        }

        return WaitWithTimeout<T>(name, timeout, cancellationToken);
    }

    public override void SendEvent(string instanceId, string name, object? data = null)
    {
        executor.EnsureOrchestratorThread(nameof(SendEvent));
        TaskHubNames.ValidateInstanceId(instanceId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var json = executor.SerializePayload(data);
        executor.RecordFireAndForget(sequence => new SendEventAction(sequence, instanceId, name, json));
    }

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true)
    {
        executor.EnsureOrchestratorThread(nameof(ContinueAsNew));
        executor.RequestContinueAsNew(executor.SerializePayload(newInput), preserveUnprocessedEvents);
    }

    public override void SetCustomStatus(object? customStatus)
    {
        executor.EnsureOrchestratorThread(nameof(SetCustomStatus));
        executor.SetCustomStatus(executor.SerializePayload(customStatus));
    }

    public override Guid NewGuid()
    {
        executor.EnsureOrchestratorThread(nameof(NewGuid));
        return executor.NewGuid();
    }

    public override ILogger CreateReplaySafeLogger(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return new ReplaySafeLogger(logger, () => executor.IsReplaying);
    }

    public override ILogger CreateReplaySafeLogger(string categoryName) =>
        CreateReplaySafeLogger(executor.LoggerFactory.CreateLogger(categoryName));

    private async Task<T> Typed<T>(Task<string?> raw)
    {
        var json = await raw;
        return PayloadJson.Deserialize<T>(json, executor.Json);
    }

    private async Task<string?> WithRetry(RetryPolicy policy, Func<int, Task<string?>> attempt)
    {
        var firstAttemptAt = CurrentUtcDateTime;
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt(n);
            }
            catch (TaskFailedException failed) when (policy.ShouldRetry(n, failed.Failure, CurrentUtcDateTime - firstAttemptAt))
            {
                await CreateTimer(CurrentUtcDateTime + policy.GetDelay(n));
            }
        }
    }

    private async Task<T> WaitWithTimeout<T>(string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timerCancel = new CancellationTokenSource();
        using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = CreateTimer(CurrentUtcDateTime + timeout, timerCancel.Token);
        var received = executor.WaitForEvent(name, waitCancel.Token);
        var first = await Task.WhenAny(received, timer);
        if (first == received)
        {
            // Synchronous Cancel on purpose: the timer's cancellation must run here, on the replay thread.
            timerCancel.Cancel();
            return PayloadJson.Deserialize<T>(await received, executor.Json);
        }

        waitCancel.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException(
            $"Orchestration '{InstanceId}' waited {timeout} for event '{name}', and it did not arrive.");
    }
}
