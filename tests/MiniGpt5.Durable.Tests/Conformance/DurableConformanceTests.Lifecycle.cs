using MiniGpt5.Durable.Client;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Tests.Conformance;

public abstract partial class DurableConformanceTests
{
    [Fact]
    public async Task Terminate_mid_flight_cancels_the_running_activity()
    {
        var host = await StartHostAsync();
        var id = NewId("terminate");
        await host.Client.ScheduleNewOrchestrationAsync(Scenarios.BlockingActivity, "x", new() { InstanceId = id });
        await Scenarios.Signal(Scenarios.Started, id).Task.WaitAsync(TimeSpan.FromSeconds(20));

        await host.Client.TerminateInstanceAsync(id, "operator said stop");
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, done.RuntimeStatus);
        Assert.Equal("operator said stop", done.ReadOutputAs<string>());

        // The activity's token fires (in-process at once; across processes within one heartbeat).
        await Scenarios.Signal(Scenarios.Cancelled, id).Task.WaitAsync(TimeSpan.FromSeconds(10));
        await host.Client.TerminateInstanceAsync(id, "again"); // terminating a finished instance is a no-op
    }

    [Fact]
    public async Task Terminate_a_pending_scheduled_instance()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Sequence, "x", new() { StartAt = DateTime.UtcNow.AddMinutes(10) });
        await host.Client.TerminateInstanceAsync(id, "never mind");
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, done.RuntimeStatus);
    }

    [Fact]
    public async Task Suspend_holds_events_until_resume()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Suspendable);
        await host.Client.WaitForInstanceStartAsync(id);
        await host.Client.SuspendInstanceAsync(id, "maintenance");
        await WaitForStatusAsync(host.Client, id, s => s.RuntimeStatus == OrchestrationRuntimeStatus.Suspended);

        await host.Client.RaiseEventAsync(id, "one", "e1");
        await Task.Delay(1000);
        Assert.Equal(OrchestrationRuntimeStatus.Suspended, (await host.Client.GetInstanceAsync(id))!.RuntimeStatus);

        await host.Client.ResumeInstanceAsync(id, "done");
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("e1+activity", done.ReadOutputAs<string>());
    }

    [Fact]
    public async Task Starting_an_existing_id_is_refused_or_a_no_op_by_dedupe_options()
    {
        var host = await StartHostAsync();
        var id = NewId("dedupe");
        await host.Client.ScheduleNewOrchestrationAsync(Scenarios.WaitEvent, null, new() { InstanceId = id });
        var error = await Assert.ThrowsAsync<OrchestrationAlreadyExistsException>(
            () => host.Client.ScheduleNewOrchestrationAsync(Scenarios.WaitEvent, null, new() { InstanceId = id }));
        Assert.Equal(id, error.InstanceId);
        Assert.Equal(id, await host.Client.ScheduleNewOrchestrationAsync(Scenarios.WaitEvent, null, new() { InstanceId = id, IfDuplicate = DuplicateStartBehavior.ReturnExisting }));

        await host.Client.RaiseEventAsync(id, "go", "first");
        var first = await CompleteAsync(host.Client, id);
        Assert.Equal("first", first.ReadOutputAs<string>());

        // Completed blocks a start only when asked to...
        await Assert.ThrowsAsync<OrchestrationAlreadyExistsException>(() => host.Client.ScheduleNewOrchestrationAsync(
            Scenarios.WaitEvent,
            null,
            new() { InstanceId = id, DedupeStatuses = [OrchestrationRuntimeStatus.Completed] }));

        // ...otherwise a finished instance is replaced by a new execution.
        await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Sequence, "again", new() { InstanceId = id });
        var second = await CompleteAsync(host.Client, id);
        Assert.Equal("again-1-2-3", second.ReadOutputAs<string>());
        Assert.NotEqual(first.ExecutionId, second.ExecutionId);
    }

    [Fact]
    public async Task Instances_carry_their_workflow_version()
    {
        var host = await StartHostAsync();
        var registered = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Versioned, "x");
        var pinned = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Versioned, "x", new() { Version = "1" });
        var a = await CompleteAsync(host.Client, registered);
        var b = await CompleteAsync(host.Client, pinned);
        Assert.Equal($"{Scenarios.RegisteredVersion}:xv2", a.ReadOutputAs<string>());
        Assert.Equal(Scenarios.RegisteredVersion, a.Version);
        Assert.Equal("1:xv1", b.ReadOutputAs<string>());
        Assert.Equal("1", b.Version);
    }

    [Fact]
    public async Task Purge_deletes_a_finished_instance_and_its_blobs()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Echo, new string('p', 40_000)); // offloaded payloads too
        await CompleteAsync(host.Client, id);
        Assert.NotEmpty(await ListAsync(host.Hub.Names.HistoryContainer, id + "/"));
        Assert.NotEmpty(await ListAsync(host.Hub.Names.PayloadsContainer, id + "/"));

        Assert.True(await host.Client.PurgeInstanceAsync(id));
        Assert.Null(await host.Client.GetInstanceAsync(id));
        Assert.Empty(await ListAsync(host.Hub.Names.HistoryContainer, id + "/"));
        Assert.Empty(await ListAsync(host.Hub.Names.PayloadsContainer, id + "/"));
        Assert.False(await host.Client.PurgeInstanceAsync(id));
    }

    [Fact]
    public async Task Purge_refuses_a_running_instance_and_purges_by_filter()
    {
        var host = await StartHostAsync();
        var running = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.WaitEvent, null, new() { InstanceId = NewId("keep") });
        await host.Client.WaitForInstanceStartAsync(running);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Client.PurgeInstanceAsync(running));

        var prefix = NewId("batch");
        var from = DateTime.UtcNow.AddSeconds(-1);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Sequence, "x", new() { InstanceId = $"{prefix}-{i}" }));
        }

        foreach (var id in ids)
        {
            await CompleteAsync(host.Client, id);
        }

        Assert.Equal(3, await host.Client.PurgeInstancesAsync(new PurgeInstancesFilter { InstanceIdPrefix = prefix, CreatedFrom = from }));
        Assert.Null(await host.Client.GetInstanceAsync(ids[0]));
        Assert.NotNull(await host.Client.GetInstanceAsync(running));
    }

    [Fact]
    public async Task Query_filters_by_status_name_time_and_prefix_and_pages()
    {
        var host = await StartHostAsync();
        var prefix = NewId("q");
        var before = DateTime.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 5; i++)
        {
            await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Sequence, "x", new() { InstanceId = $"{prefix}-done-{i}" });
        }

        for (var i = 0; i < 2; i++)
        {
            await host.Client.ScheduleNewOrchestrationAsync(Scenarios.WaitEvent, null, new() { InstanceId = $"{prefix}-wait-{i}" });
        }

        for (var i = 0; i < 5; i++)
        {
            await CompleteAsync(host.Client, $"{prefix}-done-{i}");
        }

        await WaitForStatusAsync(host.Client, $"{prefix}-wait-1", s => s.RuntimeStatus == OrchestrationRuntimeStatus.Running);
        var after = DateTime.UtcNow.AddSeconds(1);

        var all = await CollectAsync(host.Client, new InstanceQuery { InstanceIdPrefix = prefix, PageSize = 2 });
        Assert.Equal(7, all.Count);
        Assert.Equal(7, all.Select(a => a.InstanceId).Distinct().Count());

        var completed = await CollectAsync(host.Client, new InstanceQuery { InstanceIdPrefix = prefix, RuntimeStatus = [OrchestrationRuntimeStatus.Completed], PageSize = 3 });
        Assert.Equal(5, completed.Count);
        var waiting = await CollectAsync(host.Client, new InstanceQuery { InstanceIdPrefix = prefix, Name = "waitevent" });
        Assert.Equal(2, waiting.Count);
        Assert.All(waiting, w => Assert.Equal(OrchestrationRuntimeStatus.Running, w.RuntimeStatus));
        Assert.Equal(7, (await CollectAsync(host.Client, new InstanceQuery { InstanceIdPrefix = prefix, CreatedFrom = before, CreatedTo = after })).Count);
        Assert.Empty(await CollectAsync(host.Client, new InstanceQuery { InstanceIdPrefix = prefix, CreatedFrom = after }));

        var withPayloads = await host.Client.QueryInstancesAsync(new InstanceQuery { InstanceIdPrefix = $"{prefix}-done-0", FetchInputsAndOutputs = true });
        Assert.Equal("x-1-2-3", Assert.Single(withPayloads.Instances).ReadOutputAs<string>());
    }

    [Fact]
    public async Task Custom_status_shows_progress()
    {
        var host = await StartHostAsync();
        var id = await host.Client.ScheduleNewOrchestrationAsync(Scenarios.Progress, 3);
        var done = await CompleteAsync(host.Client, id);
        Assert.Equal("{\"done\":3,\"total\":3}", done.SerializedCustomStatus);
    }

    private async Task<List<string>> ListAsync(string container, string prefix)
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await Blobs.ListPageAsync(container, new Storage.BlobListOptions(Prefix: prefix), token);
            names.AddRange(page.Blobs.Select(b => b.Name));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return names;
    }

    private static async Task<List<OrchestrationMetadata>> CollectAsync(DurableClient client, InstanceQuery query)
    {
        var result = new List<OrchestrationMetadata>();
        await foreach (var item in client.ListInstancesAsync(query))
        {
            result.Add(item);
        }

        return result;
    }
}
