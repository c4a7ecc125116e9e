using Microsoft.Extensions.Logging;
using MiniGpt5.Durable.History;
using MiniGpt5.Durable.Replay;
using static MiniGpt5.Durable.Tests.Replay.ExecutorHarness;

namespace MiniGpt5.Durable.Tests.Replay;

/// <summary>The replay engine alone: matching, determinism errors, suspension, stuck detection, replay-safe logging.</summary>
public sealed class ExecutorTests
{
    private static DurableTaskRegistry TwoSteps(Func<string> firstActivity)
    {
        var registry = new DurableTaskRegistry();
        registry.AddOrchestrator<string, string>("O", async (ctx, _) =>
        {
            var a = await ctx.CallActivityAsync<string>(firstActivity(), "x");
            await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddMinutes(1));
            return a + await ctx.CallActivityAsync<string>("Second", "y");
        });
        return registry;
    }

    [Fact]
    public void New_steps_are_collected_in_sequence_order()
    {
        var executor = Create(TwoSteps(() => "First"));
        Run(executor, [Started(), Start("O")], replaying: false);
        var action = Assert.IsType<ScheduleActivityAction>(Assert.Single(executor.TakeNewActions()));
        Assert.Equal((0, "First", "\"x\""), (action.Sequence, action.Name, action.Input));

        Run(executor, [Started(T0.AddSeconds(1)), new TaskCompletedEvent(0, "\"a\"")], replaying: false);
        var timer = Assert.IsType<CreateTimerAction>(Assert.Single(executor.TakeNewActions()));
        Assert.Equal(T0.AddSeconds(1).AddMinutes(1), timer.FireAt);
    }

    [Fact]
    public void Replaying_the_same_history_matches_and_adds_nothing()
    {
        var history = new HistoryEvent[]
        {
            Started(), Start("O"), new TaskScheduledEvent(0, "First", "\"x\"", "default", 1),
            Started(T0.AddSeconds(1)), new TaskCompletedEvent(0, "\"a\""), new TimerCreatedEvent(1, T0.AddSeconds(61)),
        };
        var executor = Create(TwoSteps(() => "First"));
        Run(executor, history, replaying: true);
        executor.EndReplay();
        Assert.Empty(executor.TakeNewActions());

        Run(executor, [Started(T0.AddSeconds(61)), new TimerFiredEvent(1, T0.AddSeconds(61))], replaying: false);
        var second = Assert.IsType<ScheduleActivityAction>(Assert.Single(executor.TakeNewActions()));
        Assert.Equal((2, "Second"), (second.Sequence, second.Name));
        Run(executor, [Started(T0.AddSeconds(62)), new TaskCompletedEvent(2, "\"b\"")], replaying: false);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, executor.Completion!.Status);
        Assert.Equal("\"ab\"", executor.Completion.Output);
    }

    [Fact]
    public void A_different_activity_at_the_same_step_names_both()
    {
        var executor = Create(TwoSteps(() => "Renamed"));
        var error = Assert.Throws<NonDeterministicOrchestrationException>(() =>
            Run(executor, [Started(), Start("O"), new TaskScheduledEvent(0, "First", "\"x\"", "default", 1)], replaying: true));
        Assert.Equal(0, error.SequenceNumber);
        Assert.Equal("activity 'First'", error.Expected);
        Assert.Equal("activity 'Renamed'", error.Actual);
        Assert.Contains("instance 'i'", error.Message, StringComparison.Ordinal);
        Assert.Contains("sequence number 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_different_kind_of_step_is_caught()
    {
        var executor = Create(TwoSteps(() => "First"));
        var error = Assert.Throws<NonDeterministicOrchestrationException>(() =>
            Run(executor, [Started(), Start("O"), new TimerCreatedEvent(0, T0)], replaying: true));
        Assert.Equal(("a timer", "activity 'First'"), (error.Expected, error.Actual));
    }

    [Fact]
    public void A_recorded_step_the_code_no_longer_takes_is_caught()
    {
        var registry = new DurableTaskRegistry();
        registry.AddOrchestrator<string, string>("O", (_, _) => new TaskCompletionSource<string>().Task);
        var executor = Create(registry);
        var error = Assert.Throws<NonDeterministicOrchestrationException>(() =>
            Run(executor, [Started(), Start("O"), new TaskScheduledEvent(0, "First", null, "default", 1)], replaying: true));
        Assert.Null(error.Actual);
        Assert.Contains("the code now schedules nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_step_the_history_does_not_have_is_caught_at_the_end_of_replay()
    {
        var executor = Create(TwoSteps(() => "First"));
        Run(executor, [Started(), Start("O")], replaying: true);
        var error = Assert.Throws<NonDeterministicOrchestrationException>(executor.EndReplay);
        Assert.Equal((0, null, "activity 'First'"), (error.SequenceNumber, error.Expected, error.Actual));
    }

    [Fact]
    public void Duplicate_and_unknown_completions_are_not_relevant()
    {
        var executor = Create(TwoSteps(() => "First"));
        Run(executor, [Started(), Start("O")], replaying: false);
        executor.TakeNewActions();
        var done = new TaskCompletedEvent(0, "\"a\"");
        Assert.True(executor.IsRelevant(done));
        Run(executor, [Started(), done], replaying: false);
        Assert.False(executor.IsRelevant(done));
        Assert.False(executor.IsRelevant(new TaskCompletedEvent(7, "\"?\"")));
        Assert.False(executor.IsRelevant(new TimerFiredEvent(0, T0))); // id 0 is an activity, not a timer
    }

    [Fact]
    public void Suspended_instances_hold_results_until_resumed()
    {
        var executor = Create(TwoSteps(() => "First"));
        Run(executor, [Started(), Start("O")], replaying: false);
        executor.TakeNewActions();
        Run(executor, [Started(), new ExecutionSuspendedEvent("pause"), new TaskCompletedEvent(0, "\"a\"")], replaying: false);
        Assert.True(executor.IsSuspended);
        Assert.Empty(executor.TakeNewActions());
        Assert.False(executor.IsRelevant(new TaskCompletedEvent(0, "\"a\""))); // held, not forgotten

        Run(executor, [Started(), new ExecutionResumedEvent(null)], replaying: false);
        Assert.IsType<CreateTimerAction>(Assert.Single(executor.TakeNewActions()));
    }

    [Fact]
    public void Awaiting_a_non_durable_task_is_reported()
    {
        var registry = new DurableTaskRegistry();
        registry.AddOrchestrator<string, string>("Stuck", async (_, _) =>
        {
            await new TaskCompletionSource().Task;
            return "never";
        });
        var executor = Create(registry);
        Run(executor, [Started(), Start("Stuck")], replaying: false);
        Assert.Contains("not a durable task", executor.FindStuckReason(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_continuation_from_another_thread_is_reported()
    {
        var registry = new DurableTaskRegistry();
        registry.AddOrchestrator<string, string>("Delays", async (_, _) =>
        {
            await Task.Delay(1);
            return "late";
        });
        var executor = Create(registry);
        Run(executor, [Started(), Start("Delays")], replaying: false);
        await Task.Delay(200); // Task.Delay's continuation is queued from a timer thread
        Assert.Contains("Task.Delay", executor.FindStuckReason(), StringComparison.Ordinal);
    }

    [Fact]
    public void Calling_the_context_from_another_thread_fails_the_orchestration()
    {
        var registry = new DurableTaskRegistry();
        registry.AddOrchestrator<string, string>("OffThread", async (ctx, _) =>
            await Task.Run(() => ctx.CallActivityAsync<string>("A"), CancellationToken.None));
        var executor = Create(registry);
        Run(executor, [Started(), Start("OffThread")], replaying: false);
        // The pool thread may start late on a busy machine (other test classes run in parallel on 2 cores), so wait
        // on a deadline rather than a fixed number of short polls; the assertions below are unchanged.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (executor.Completion is null && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
            Run(executor, [Started()], replaying: false); // drain what the pool thread queued
        }

        Assert.Equal(OrchestrationRuntimeStatus.Failed, executor.Completion?.Status);
        Assert.Contains("outside orchestrator", executor.Completion!.Failure!.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Continue_as_new_carries_buffered_events_in_arrival_order()
    {
        var registry = new DurableTaskRegistry();
        registry.AddOrchestrator<int, int>("Loop", async (ctx, n) =>
        {
            await ctx.WaitForExternalEvent<string>("tick");
            ctx.ContinueAsNew(n + 1);
            return n;
        });
        var executor = Create(registry);
        Run(
            executor,
            [Started(), Start("Loop", input: "0"), new EventRaisedEvent("e1", "tick", "\"1\""), new EventRaisedEvent("e2", "TICK", "\"2\""), new EventRaisedEvent("e3", "other", "\"3\"")],
            replaying: false);
        var completion = executor.Completion!;
        Assert.Equal(OrchestrationRuntimeStatus.ContinuedAsNew, completion.Status);
        Assert.Equal("1", completion.Output);
        Assert.Equal(["e2", "e3"], completion.CarriedEvents.Select(e => e.EventId));
    }

    [Fact]
    public void Replay_safe_logger_writes_each_line_once()
    {
        var lines = new List<string>();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new ListLoggerProvider(lines)));
        var registry = new DurableTaskRegistry();
        registry.AddOrchestrator<string, string>("Logs", async (ctx, _) =>
        {
            var log = ctx.CreateReplaySafeLogger("test");
            log.LogInformation("before");
            await ctx.CallActivityAsync<string>("A");
            log.LogInformation("after");
            return "ok";
        });
        var history = new HistoryEvent[] { Started(), Start("Logs"), new TaskScheduledEvent(0, "A", null, "default", 1) };
        var executor = Create(registry, loggers: loggers);
        Run(executor, history, replaying: true);
        executor.EndReplay();
        Run(executor, [Started(), new TaskCompletedEvent(0, "\"a\"")], replaying: false);
        Assert.Equal(["after"], lines);
    }

    private sealed class ListLoggerProvider(List<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(lines);

        public void Dispose()
        {
        }

        private sealed class ListLogger(List<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Add(formatter(state, exception));
        }
    }
}
