using MiniGpt5.Durable.Tests.Infrastructure;

namespace MiniGpt5.Durable.Tests.Conformance;

public abstract partial class DurableConformanceTests
{
    [Fact]
    public async Task Retries_exhausted_surface_the_last_failure()
    {
        var host = await StartHostAsync();
        var id = NewId("retry");
        await host.Client.ScheduleNewOrchestrationAsync(Scenarios.RetryUntilExhausted, null, new() { InstanceId = id });
        var output = (await CompleteAsync(host.Client, id)).ReadOutputAs<string>();
        Assert.Equal($"{typeof(InvalidOperationException).FullName}|attempt 3 failed", output);
        Assert.Equal(3, Scenarios.Executions[id]);
    }

    [Fact]
    public async Task Retry_predicate_can_refuse_a_failure()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.RetryRefusedByPredicate);
        Assert.Equal(typeof(ArgumentException).FullName, (await CompleteAsync(host.Client, id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Retry_succeeds_on_a_later_attempt_with_the_attempt_number()
    {
        var host = await StartHostAsync();
        var id = NewId("flaky");
        await host.Client.ScheduleNewOrchestrationAsync(Scenarios.RetryThenSucceed, 10, new() { InstanceId = id });
        Assert.Equal(13, (await CompleteAsync(host.Client, id)).ReadOutputAs<int>()); // third attempt: 10 + 3
    }

    [Fact]
    public async Task Orchestrator_exception_fails_the_instance_with_full_details()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Throws, "bad input");
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        var failure = done.FailureDetails!;
        Assert.Equal(typeof(InvalidOperationException).FullName, failure.ErrorType);
        Assert.Equal("bad input", failure.ErrorMessage);
        Assert.Contains(nameof(Scenarios), failure.StackTrace, StringComparison.Ordinal);
        Assert.Equal(typeof(FormatException).FullName, failure.InnerFailure!.ErrorType);
        Assert.Equal("inner cause", failure.InnerFailure.ErrorMessage);
        Assert.True(failure.IsCausedBy<InvalidOperationException>());
    }

    [Fact]
    public async Task Calling_an_unregistered_activity_fails_the_call()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.CallsUnknownActivity);
        Assert.Equal("MiniGpt5.Durable.ActivityNotRegistered", (await CompleteAsync(host.Client, id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Poison_message_goes_to_the_poison_store_and_fails_the_call()
    {
        // The activity message comes back as if it had crashed its workers 6 times before.
        var faulty = new FaultyQueueStore(Queues) { ExtraDequeues = m => m.Text.Contains("\"PoisonMe\"", StringComparison.Ordinal) ? 6 : 0 };
        var host = await StartHostAsync(queues: faulty);
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Poisoned, "x");
        Assert.Equal("MiniGpt5.Durable.PoisonMessage", (await CompleteAsync(host.Client, id)).ReadOutputAs<string>());

        var poisoned = Assert.Single(await host.Client.GetPoisonMessagesAsync());
        Assert.Equal(id, poisoned.InstanceId);
        Assert.Equal(host.Hub.Names.ActivityQueue("default"), poisoned.Queue);
        Assert.Contains("PoisonMe", poisoned.Text, StringComparison.Ordinal);
        Assert.Equal(1, host.Hub.Statistics.PoisonMessages);
    }

    [Fact]
    public async Task Changed_orchestrator_code_fails_replay_with_the_mismatching_step()
    {
        var id = NewId("nd");
        Scenarios.ToggleUseB[id] = false;
        var first = await StartHostAsync(name: "before");
        await first.Client.ScheduleNewOrchestrationAsync(Scenarios.Toggle, "x", new() { InstanceId = id });
        await WaitForStatusAsync(first.Client, id, s => s.HistoryEvents >= 5); // the activity ran, now waiting for the event
        await first.StopAsync();

        Scenarios.ToggleUseB[id] = true; // "deploy" changed code
        var second = await StartHostAsync(name: "after");
        await second.Client.RaiseEventAsync(id, "go", "!");
        var done = await CompleteAsync(second.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Equal(typeof(NonDeterministicOrchestrationException).FullName, done.FailureDetails!.ErrorType);
        Assert.Contains("sequence number 0", done.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("activity 'NdA'", done.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("activity 'NdB'", done.FailureDetails.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_guid_and_replay_are_deterministic_without_a_cache()
    {
        // No session cache: every episode replays the whole history from storage.
        var host = await StartHostAsync(hub: o => o.MaxCachedInstances = 0);
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Guids);
        Assert.True((await CompleteAsync(host.Client, id)).ReadOutputAs<bool>());
        Assert.True(host.Hub.Statistics.EventsReplayed > 0);
    }
}
