using MiniGpt5.Durable.Client;

namespace MiniGpt5.Durable.Tests.Conformance;

public abstract partial class DurableConformanceTests
{
    [Fact]
    public async Task External_event_is_delivered_to_the_waiting_orchestration()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.WaitEvent);
        await host.Client.WaitForInstanceStartAsync(id);
        await host.Client.RaiseEventAsync(id, "GO", "hello"); // names compare case-insensitively
        Assert.Equal("hello", (await CompleteAsync(host.Client, id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Event_wait_times_out_on_a_durable_timer()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.WaitEventWithTimeout, 1.0);
        Assert.Equal("timeout", (await CompleteAsync(host.Client, id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Event_arriving_before_its_timeout_wins()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.WaitEventWithTimeout, 30.0);
        await host.Client.WaitForInstanceStartAsync(id);
        await host.Client.RaiseEventAsync(id, "go", "in time");
        Assert.Equal("in time", (await CompleteAsync(host.Client, id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Event_raised_before_the_wait_is_buffered()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.ActivityThenEvent, "a");
        await host.Client.RaiseEventAsync(id, "go", "b"); // arrives while the activity still runs, or even before the start
        Assert.Equal("ab", (await CompleteAsync(host.Client, id)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Orchestrations_send_events_to_each_other()
    {
        var host = await StartHostAsync();
        var pong = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Pong);
        await host.Client.WaitForInstanceStartAsync(pong);
        var ping = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Ping, pong);
        Assert.Equal($"pong to from {ping}", (await CompleteAsync(host.Client, ping)).ReadOutputAs<string>());
        Assert.Equal($"from {ping}", (await CompleteAsync(host.Client, pong)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Raising_an_event_on_a_missing_or_finished_instance_is_refused()
    {
        var host = await StartHostAsync();
        await Assert.ThrowsAsync<InstanceNotFoundException>(() => host.Client.RaiseEventAsync("no-such-instance", "go"));
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Sequence, "x");
        await CompleteAsync(host.Client, id);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Client.RaiseEventAsync(id, "go"));
    }

    [Fact]
    public async Task Continue_as_new_restarts_with_new_input_and_a_fresh_history()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Counter, 0);
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(5, done.ReadOutputAs<int>());
        Assert.Equal(6, done.Generation);
        Assert.Equal("5", done.SerializedInput);
        Assert.True(done.HistoryEvents <= 4, $"the last generation's history should be tiny, it has {done.HistoryEvents} events");
    }

    [Fact]
    public async Task Continue_as_new_carries_unprocessed_events_into_the_next_generation()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Accumulate, Array.Empty<int>());
        await host.Client.WaitForInstanceStartAsync(id);

        // Three events at once: one generation consumes one, the others must survive ContinueAsNew.
        await Task.WhenAll(
            host.Client.RaiseEventAsync(id, "add", 1),
            host.Client.RaiseEventAsync(id, "add", 2),
            host.Client.RaiseEventAsync(id, "add", 3));
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal([1, 2, 3], done.ReadOutputAs<int[]>()!.Order());
        Assert.Equal(3, done.Generation);
    }
}
