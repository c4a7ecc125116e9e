namespace MiniGpt5.Durable.Tests.Conformance;

public abstract partial class DurableConformanceTests
{
    [Fact]
    public async Task Sequence_of_activities_completes_with_output()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Sequence, "x");
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("x-1-2-3", done.ReadOutputAs<string>());
        Assert.Equal("\"x\"", done.SerializedInput);
        Assert.NotNull(done.CompletedAt);
        Assert.True(done.HistoryEvents > 0);
    }

    [Fact]
    public async Task Fan_out_fan_in_sums_all_results()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.FanOut, 60);
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(Enumerable.Range(0, 60).Sum(i => i * 2), done.ReadOutputAs<int>());
    }

    [Fact]
    public async Task When_any_returns_the_first_of_an_activity_and_a_timer()
    {
        var host = await StartHostAsync();
        var fast = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Race, 10);
        var slow = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Race, 8000);
        Assert.Equal("activity", (await CompleteAsync(host.Client, fast)).ReadOutputAs<string>());
        Assert.Equal("timer", (await CompleteAsync(host.Client, slow)).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Sub_orchestrations_run_with_explicit_and_derived_instance_ids()
    {
        var host = await StartHostAsync();
        var id = NewId("parent");
        await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Parent, "in", new() { InstanceId = id });
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var results = done.ReadOutputAs<string[]>()!;
        Assert.Equal($"in1@{id}-child@{id}", results[0]);
        Assert.StartsWith($"in2@{id}:", results[1], StringComparison.Ordinal);
        Assert.EndsWith($"@{id}", results[1], StringComparison.Ordinal);

        var child = await host.Client.GetInstanceAsync(id + "-child");
        Assert.Equal(OrchestrationRuntimeStatus.Completed, child!.RuntimeStatus);
        Assert.Equal(id, child.Parent!.InstanceId);
    }

    [Fact]
    public async Task A_failing_sub_orchestration_surfaces_as_a_catchable_task_failure()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.ParentOfFailingChild, "child broke");
        var output = (await CompleteAsync(host.Client, id)).ReadOutputAs<string>()!.Split('|');
        Assert.Equal(typeof(InvalidOperationException).FullName, output[0]);
        Assert.Equal("child broke", output[1]);
        Assert.StartsWith(id + ":", output[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sub_orchestration_whose_id_is_already_running_fails_the_call()
    {
        var host = await StartHostAsync();
        var childId = NewId("busy");
        await host.Client.ScheduleNewOrchestrationAsync(Scenarios.WaitEvent, null, new() { InstanceId = childId });
        await host.Client.WaitForInstanceStartAsync(childId);
        var parent = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.ParentOfDuplicateChild, childId);
        Assert.Equal("MiniGpt5.Durable.OrchestrationAlreadyExists", (await CompleteAsync(host.Client, parent)).ReadOutputAs<string>());
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Client.GetInstanceAsync(childId))!.RuntimeStatus);
    }

    [Fact]
    public async Task Timer_fires_no_earlier_than_due()
    {
        var host = await StartHostAsync();
        var started = DateTime.UtcNow;
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Timer, 1.5);
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal("on time", done.ReadOutputAs<string>());
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Timers_longer_than_the_queue_delay_cap_are_chained()
    {
        // Cap single queue delays at 1 s: a 3.2 s timer must hop four times and still fire on time.
        var host = await StartHostAsync(hub: o => o.MaxTimerDelay = TimeSpan.FromSeconds(1));
        var started = DateTime.UtcNow;
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Timer, 3.2);
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal("on time", done.ReadOutputAs<string>());
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(3.2));
    }

    [Fact]
    public async Task Scheduled_start_stays_pending_until_its_time()
    {
        var host = await StartHostAsync();
        var startAt = DateTime.UtcNow.AddSeconds(2);
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Sequence, "s", new() { StartAt = startAt });
        await Task.Delay(700);
        var pending = await host.Client.GetInstanceAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Pending, pending!.RuntimeStatus);
        Assert.Equal(startAt, pending.ScheduledStartAt!.Value, TimeSpan.FromMilliseconds(1));
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal("s-1-2-3", done.ReadOutputAs<string>());
        Assert.True(DateTime.UtcNow >= startAt);
    }
}
