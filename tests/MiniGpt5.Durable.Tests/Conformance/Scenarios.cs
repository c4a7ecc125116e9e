using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MiniGpt5.Durable.Hosting;

namespace MiniGpt5.Durable.Tests.Conformance;

/// <summary>
/// Orchestrators and activities the conformance tests run. State the tests observe is keyed by instance id,
/// so the local and Azurite suites can run at the same time.
/// </summary>
public static class Scenarios
{
    public const string Sequence = nameof(Sequence);
    public const string FanOut = nameof(FanOut);
    public const string Race = nameof(Race);
    public const string Parent = nameof(Parent);
    public const string Child = nameof(Child);
    public const string ParentOfFailingChild = nameof(ParentOfFailingChild);
    public const string ParentOfDuplicateChild = nameof(ParentOfDuplicateChild);
    public const string Timer = nameof(Timer);
    public const string WaitEvent = nameof(WaitEvent);
    public const string WaitEventWithTimeout = nameof(WaitEventWithTimeout);
    public const string ActivityThenEvent = nameof(ActivityThenEvent);
    public const string BlockingActivity = nameof(BlockingActivity);
    public const string Counter = nameof(Counter);
    public const string Accumulate = nameof(Accumulate);
    public const string RetryUntilExhausted = nameof(RetryUntilExhausted);
    public const string RetryRefusedByPredicate = nameof(RetryRefusedByPredicate);
    public const string RetryThenSucceed = nameof(RetryThenSucceed);
    public const string Poisoned = nameof(Poisoned);
    public const string Versioned = nameof(Versioned);
    public const string Toggle = nameof(Toggle);
    public const string Echo = nameof(Echo);
    public const string Progress = nameof(Progress);
    public const string Throws = nameof(Throws);
    public const string CallsUnknownActivity = nameof(CallsUnknownActivity);
    public const string Guids = nameof(Guids);
    public const string OnGpu = nameof(OnGpu);
    public const string LongActivity = nameof(LongActivity);
    public const string Ping = nameof(Ping);
    public const string Pong = nameof(Pong);
    public const string Suspendable = nameof(Suspendable);

    /// <summary>The workflow version <see cref="Versioned"/> is registered with.</summary>
    public const string RegisteredVersion = "2";

    /// <summary>Per-instance switch read by <see cref="Toggle"/>: false calls activity NdA, true calls NdB.</summary>
    public static ConcurrentDictionary<string, bool> ToggleUseB { get; } = new();

    /// <summary>Executions of activities, per instance id.</summary>
    public static ConcurrentDictionary<string, int> Executions { get; } = new();

    /// <summary>Instances whose blocking activity has started.</summary>
    public static ConcurrentDictionary<string, TaskCompletionSource> Started { get; } = new();

    /// <summary>Instances whose blocking activity saw its token cancelled.</summary>
    public static ConcurrentDictionary<string, TaskCompletionSource> Cancelled { get; } = new();

    /// <summary>Gates that blocking activities wait for (set by the test).</summary>
    public static ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();

    public static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> map, string instanceId) =>
        map.GetOrAdd(instanceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public static void Register(DurableTaskBuilder b)
    {
        RegisterActivities(b);
        RegisterOrchestrators(b);
    }

    private static void RegisterActivities(DurableTaskBuilder b)
    {
        b.AddActivity<string, string>("Append", (_, s) => Task.FromResult(s));
        b.AddActivity<int, int>("Double", (_, i) => Task.FromResult(i * 2));
        b.AddActivity<int, int>("Slow", async (ctx, ms) =>
        {
            await Task.Delay(ms, ctx.CancellationToken);
            return ms;
        });
        b.AddActivity<string, string>("Fail", (_, message) => throw new InvalidOperationException(message));
        b.AddActivity<string, string>("FailWithArgument", (_, message) => throw new ArgumentException(message));
        b.AddActivity<int, int>("FailTwiceThenSucceed", (ctx, value) =>
        {
            var n = Executions.AddOrUpdate(ctx.InstanceId, 1, (_, c) => c + 1);
            return n <= 2 ? throw new TimeoutException($"attempt {ctx.Attempt} times out") : Task.FromResult(value + ctx.Attempt);
        });
        b.AddActivity<string, string>("CountAttempt", (ctx, _) =>
        {
            Executions.AddOrUpdate(ctx.InstanceId, 1, (_, c) => c + 1);
            throw new InvalidOperationException($"attempt {ctx.Attempt} failed");
        });
        b.AddActivity<string, string>("PoisonMe", (_, s) => Task.FromResult(s));
        b.AddActivity<string, string>("NdA", (_, s) => Task.FromResult("A" + s));
        b.AddActivity<string, string>("NdB", (_, s) => Task.FromResult("B" + s));
        b.AddActivity<string, string>("Block", async (ctx, _) =>
        {
            Executions.AddOrUpdate(ctx.InstanceId, 1, (_, c) => c + 1);
            Signal(Started, ctx.InstanceId).TrySetResult();
            try
            {
                await Signal(Gates, ctx.InstanceId).Task.WaitAsync(ctx.CancellationToken);
                return "released";
            }
            catch (OperationCanceledException)
            {
                Signal(Cancelled, ctx.InstanceId).TrySetResult();
                throw;
            }
        });
        b.AddActivity<int, int>("Sleep", async (ctx, ms) =>
        {
            Executions.AddOrUpdate(ctx.InstanceId, 1, (_, c) => c + 1);
            await Task.Delay(ms, ctx.CancellationToken);
            return ms;
        });
        b.AddActivity<WhoAmI>(taskQueue: "gpu");
        b.Services.TryAddSingleton(new HostLabel("unlabelled"));
    }

    private static void RegisterOrchestrators(DurableTaskBuilder b)
    {
        b.AddOrchestrator<string, string>(Sequence, async (ctx, input) =>
        {
            var a = await ctx.CallActivityAsync<string>("Append", input + "-1");
            var c = await ctx.CallActivityAsync<string>("Append", a + "-2");
            return await ctx.CallActivityAsync<string>("Append", c + "-3");
        });

        b.AddOrchestrator<int, int>(FanOut, async (ctx, n) =>
        {
            var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => ctx.CallActivityAsync<int>("Double", i)));
            return results.Sum();
        });

        b.AddOrchestrator<int, string>(Race, async (ctx, activityMs) =>
        {
            using var cancelTimer = new CancellationTokenSource();
            var work = ctx.CallActivityAsync<int>("Slow", activityMs);
            var timer = ctx.CreateTimer(TimeSpan.FromSeconds(3), cancelTimer.Token);
            var winner = await Task.WhenAny(work, timer);
            if (winner == work)
            {
                cancelTimer.Cancel();
                return "activity";
            }

            return "timer";
        });

        b.AddOrchestrator<string, string>(Child, (ctx, input) => Task.FromResult($"{input}@{ctx.InstanceId}@{ctx.Parent?.InstanceId}"));
        b.AddOrchestrator<string, string[]>(Parent, async (ctx, input) =>
        {
            var named = ctx.CallSubOrchestratorAsync<string>(Child, input + "1", new SubOrchestrationOptions { InstanceId = ctx.InstanceId + "-child" });
            var derived = ctx.CallSubOrchestratorAsync<string>(Child, input + "2");
            return await Task.WhenAll(named, derived);
        });
        b.AddOrchestrator<string, string>("FailingChild", (_, message) => throw new InvalidOperationException(message));
        b.AddOrchestrator<string, string>(ParentOfFailingChild, async (ctx, message) =>
        {
            try
            {
                await ctx.CallSubOrchestratorAsync<string>("FailingChild", message);
                return "no failure";
            }
            catch (TaskFailedException e)
            {
                return $"{e.Failure.ErrorType}|{e.Failure.ErrorMessage}|{e.SubOrchestrationInstanceId}";
            }
        });
        b.AddOrchestrator<string, string>(ParentOfDuplicateChild, async (ctx, childId) =>
        {
            try
            {
                await ctx.CallSubOrchestratorAsync<string>(WaitEvent, "x", new SubOrchestrationOptions { InstanceId = childId });
                return "started";
            }
            catch (TaskFailedException e)
            {
                return e.Failure.ErrorType;
            }
        });

        b.AddOrchestrator<double, string>(Timer, async (ctx, seconds) =>
        {
            var fireAt = ctx.CurrentUtcDateTime.AddSeconds(seconds);
            await ctx.CreateTimer(fireAt);
            return ctx.CurrentUtcDateTime >= fireAt ? "on time" : $"early: now {ctx.CurrentUtcDateTime:o}, due {fireAt:o}";
        });

        b.AddOrchestrator<string, string>(WaitEvent, async (ctx, _) => await ctx.WaitForExternalEvent<string>("go"));
        b.AddOrchestrator<double, string>(WaitEventWithTimeout, async (ctx, seconds) =>
        {
            try
            {
                return await ctx.WaitForExternalEvent<string>("go", TimeSpan.FromSeconds(seconds));
            }
            catch (TimeoutException)
            {
                return "timeout";
            }
        });
        b.AddOrchestrator<string, string>(ActivityThenEvent, async (ctx, input) =>
        {
            var a = await ctx.CallActivityAsync<string>("Append", input);
            var e = await ctx.WaitForExternalEvent<string>("go", TimeSpan.FromSeconds(20));
            return a + e;
        });

        b.AddOrchestrator<string, string>(BlockingActivity, async (ctx, input) => await ctx.CallActivityAsync<string>("Block", input));

        b.AddOrchestrator<int, int>(Counter, (ctx, n) =>
        {
            if (n < 5)
            {
                ctx.ContinueAsNew(n + 1);
            }

            return Task.FromResult(n);
        });
        b.AddOrchestrator<int[], int[]>(Accumulate, async (ctx, seen) =>
        {
            var value = await ctx.WaitForExternalEvent<int>("add");
            int[] now = [.. seen, value];
            if (now.Length == 3)
            {
                return now;
            }

            ctx.ContinueAsNew(now, preserveUnprocessedEvents: true);
            return now;
        });

        b.AddOrchestrator<string, string>(RetryUntilExhausted, async (ctx, _) =>
        {
            try
            {
                await ctx.CallActivityAsync<string>("CountAttempt", "x", ActivityOptions.WithRetry(new RetryPolicy(3, TimeSpan.FromMilliseconds(200)) { BackoffCoefficient = 2 }));
                return "no failure";
            }
            catch (TaskFailedException e)
            {
                return $"{e.Failure.ErrorType}|{e.Failure.ErrorMessage}";
            }
        });
        b.AddOrchestrator<string, string>(RetryRefusedByPredicate, async (ctx, _) =>
        {
            var policy = new RetryPolicy(5, TimeSpan.FromMilliseconds(100)) { Handle = f => !f.IsCausedBy<ArgumentException>() };
            try
            {
                await ctx.CallActivityAsync<string>("FailWithArgument", "bad argument", ActivityOptions.WithRetry(policy));
                return "no failure";
            }
            catch (TaskFailedException e)
            {
                return e.Failure.ErrorType;
            }
        });
        b.AddOrchestrator<int, int>(RetryThenSucceed, async (ctx, value) =>
            await ctx.CallActivityAsync<int>("FailTwiceThenSucceed", value, ActivityOptions.WithRetry(new RetryPolicy(4, TimeSpan.FromMilliseconds(100)))));

        b.AddOrchestrator<string, string>(Poisoned, async (ctx, input) =>
        {
            try
            {
                return await ctx.CallActivityAsync<string>("PoisonMe", input);
            }
            catch (TaskFailedException e)
            {
                return e.Failure.ErrorType;
            }
        });

        b.AddOrchestrator<string, string>(
            Versioned,
            async (ctx, input) =>
            {
                var step = ctx.Version == "1" ? "v1" : "v2";
                return ctx.Version + ":" + await ctx.CallActivityAsync<string>("Append", input + step);
            },
            RegisteredVersion);

        b.AddOrchestrator<string, string>(Toggle, async (ctx, input) =>
        {
            var name = ToggleUseB.TryGetValue(ctx.InstanceId, out var useB) && useB ? "NdB" : "NdA";
            var first = await ctx.CallActivityAsync<string>(name, input);
            var second = await ctx.WaitForExternalEvent<string>("go");
            return first + second;
        });

        b.AddOrchestrator<string, string>(Echo, async (ctx, input) =>
        {
            ctx.SetCustomStatus(new { length = input.Length });
            return await ctx.CallActivityAsync<string>("Append", input);
        });

        b.AddOrchestrator<int, int>(Progress, async (ctx, steps) =>
        {
            for (var i = 1; i <= steps; i++)
            {
                await ctx.CallActivityAsync<int>("Double", i);
                ctx.SetCustomStatus(new { done = i, total = steps });
            }

            return steps;
        });

        b.AddOrchestrator<string, string>(Throws, (_, message) =>
            throw new InvalidOperationException(message, new FormatException("inner cause")));

        b.AddOrchestrator<string, string>(CallsUnknownActivity, async (ctx, _) =>
        {
            try
            {
                return await ctx.CallActivityAsync<string>("NoSuchActivity", "x");
            }
            catch (TaskFailedException e)
            {
                return e.Failure.ErrorType;
            }
        });

        b.AddOrchestrator<string, bool>(Guids, async (ctx, _) =>
        {
            var first = ctx.NewGuid();
            var echoed = await ctx.CallActivityAsync<string>("Append", first.ToString());
            var second = ctx.NewGuid();
            var again = await ctx.CallActivityAsync<string>("Append", second.ToString());
            return echoed == first.ToString() && again == second.ToString() && first != second;
        });

        b.AddOrchestrator<string, string>(OnGpu, async (ctx, _) => await ctx.CallActivityAsync<string>(nameof(WhoAmI)));

        b.AddOrchestrator<int, int>(LongActivity, async (ctx, ms) => await ctx.CallActivityAsync<int>("Sleep", ms));

        b.AddOrchestrator<string, string>(Ping, async (ctx, target) =>
        {
            ctx.SendEvent(target, "go", "from " + ctx.InstanceId);
            return await ctx.WaitForExternalEvent<string>("reply", TimeSpan.FromSeconds(20));
        });
        b.AddOrchestrator<string, string>(Pong, async (ctx, _) =>
        {
            var message = await ctx.WaitForExternalEvent<string>("go");
            ctx.SendEvent(message["from ".Length..], "reply", "pong to " + message);
            return message;
        });

        b.AddOrchestrator<string, string>(Suspendable, async (ctx, _) =>
        {
            var first = await ctx.WaitForExternalEvent<string>("one");
            var second = await ctx.CallActivityAsync<string>("Append", first + "+activity");
            return second;
        });
    }
}

/// <summary>Which host runs an activity (each test host registers its own label).</summary>
public sealed record HostLabel(string Name);

/// <summary>A class-based activity on the <c>gpu</c> task queue that reports the host it ran on.</summary>
public sealed class WhoAmI(HostLabel label) : IActivity<object?, string>
{
    public Task<string> RunAsync(ActivityContext context, object? input) => Task.FromResult($"{label.Name}:{context.TaskQueue}");
}
