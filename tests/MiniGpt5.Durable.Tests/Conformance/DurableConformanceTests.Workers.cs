using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Durable.Tests.Infrastructure;

namespace MiniGpt5.Durable.Tests.Conformance;

public abstract partial class DurableConformanceTests
{
    [Fact]
    public async Task Large_payloads_travel_by_blob_reference()
    {
        var host = await StartHostAsync();
        var big = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26)))) + "é€";
        var input = string.Concat(Enumerable.Repeat(big, 10)); // ~200 KB: 4x a queue message
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Echo, input);
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(input, done.ReadOutputAs<string>());
        Assert.Equal(input, done.ReadInputAs<string>());

        // The history holds references, not the bytes.
        var history = await host.Hub.History.ReadAsync(id, done.ExecutionId, CancellationToken.None);
        Assert.All(history.Events.OfType<TaskScheduledEvent>(), e => Assert.StartsWith(PayloadStore.ReferencePrefix, e.Input, StringComparison.Ordinal));
        Assert.True(history.AppendPosition < 20_000, $"history is {history.AppendPosition} bytes");
    }

    [Fact]
    public async Task Activities_on_a_task_queue_run_only_on_workers_listening_to_it()
    {
        var orchestrator = await StartHostAsync(name: "cpu-host");
        var gpu = await StartHostAsync(worker: w => { w.RunOrchestrations = false; w.TaskQueues = ["gpu"]; }, name: "gpu-host");
        var id = await orchestrator.Client.ScheduleNewOrchestrationAsync(Scenarios.OnGpu);
        Assert.Equal("gpu-host:gpu", (await CompleteAsync(orchestrator.Client, id)).ReadOutputAs<string>());
        Assert.Empty(gpu.Worker!.OwnedPartitions);
    }

    [Fact]
    public async Task Long_activity_keeps_its_message_by_heartbeat_and_runs_once()
    {
        // 3 s visibility, a 5 s activity: without renewal a second worker would take it over.
        var first = await StartHostAsync(name: "one");
        await StartHostAsync(worker: w => w.RunOrchestrations = false, name: "two");
        var id = NewId("long");
        await first.Client.ScheduleNewOrchestrationAsync(Scenarios.LongActivity, 5000, new() { InstanceId = id });
        Assert.Equal(5000, (await CompleteAsync(first.Client, id)).ReadOutputAs<int>());
        Assert.Equal(1, Scenarios.Executions[id]);
    }

    [Fact]
    public async Task Work_survives_a_worker_restart()
    {
        var id = NewId("restart");
        var first = await StartHostAsync(name: "first");
        await first.Client.ScheduleNewOrchestrationAsync(Scenarios.BlockingActivity, "x", new() { InstanceId = id });
        await Scenarios.Signal(Scenarios.Started, id).Task.WaitAsync(TimeSpan.FromSeconds(20));
        await first.StopAsync(); // drain times out (2 s), the activity is cancelled and its message handed back

        Scenarios.Started.TryRemove(id, out _);
        Scenarios.Signal(Scenarios.Gates, id).TrySetResult(); // the next attempt finishes at once
        var second = await StartHostAsync(name: "second");
        var done = await CompleteAsync(second.Client, id);
        Assert.Equal("released", done.ReadOutputAs<string>());
        Assert.Equal(2, Scenarios.Executions[id]);
    }

    [Fact]
    public async Task Duplicated_messages_do_not_duplicate_completions()
    {
        // Every control and activity message is delivered twice.
        var faulty = new FaultyQueueStore(Queues) { DuplicateSend = _ => true };
        var host = await StartHostAsync(queues: faulty);
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.FanOut, 20);
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(Enumerable.Range(0, 20).Sum(i => i * 2), done.ReadOutputAs<int>());
        Assert.True(faulty.Duplicated > 20, $"{faulty.Duplicated} duplicated"); // every activity message, plus the control messages

        var history = await host.Hub.History.ReadAsync(id, done.ExecutionId, CancellationToken.None);
        var completions = history.Events.OfType<TaskCompletedEvent>().Select(e => e.TaskScheduledId).ToList();
        Assert.Equal(20, completions.Count);
        Assert.Equal(20, completions.Distinct().Count());
        Assert.Single(history.Events.OfType<ExecutionStartedEvent>());
        Assert.Single(history.Events.OfType<ExecutionCompletedEvent>());
    }

    [Fact]
    public async Task Transient_storage_errors_are_retried()
    {
        var faulty = new FaultyQueueStore(Queues) { FailEveryNth = 7 };
        var host = await StartHostAsync(queues: faulty);
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.FanOut, 20);
        Assert.Equal(Enumerable.Range(0, 20).Sum(i => i * 2), (await CompleteAsync(host.Client, id)).ReadOutputAs<int>());
        Assert.True(faulty.Injected503 > 5);
    }

    [Fact]
    public async Task Warm_episodes_replay_nothing_so_fan_in_stays_linear()
    {
        const int n = 200;
        var warm = await StartHostAsync();
        var id = await warm.Client.ScheduleNewOrchestrationAsync(Scenarios.FanOut, n);
        await CompleteAsync(warm.Client, id);
        var stats = warm.Hub.Statistics;
        Assert.Equal(0, stats.EventsReplayed);
        Assert.True(stats.EventsApplied <= (2 * n) + (3 * stats.Episodes) + 4, $"applied {stats.EventsApplied} events in {stats.Episodes} episodes");
    }
}
