using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MiniGpt5.Durable;

namespace MiniGpt5.Functions.Tests.Http;

public sealed class InstanceApiTests : IAsyncLifetime
{
    private ApiTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Running_instance_answers_202_with_location_and_retry_after_then_200_with_output_after_the_event()
    {
        var id = await _server.Durable.ScheduleNewOrchestrationAsync(TestOrchestrations.WaitForApproval, null, new() { InstanceId = "approve-1" });
        await _server.Durable.WaitForInstanceStartAsync(id);

        using var running = await _server.SendAsync(HttpMethod.Get, $"api/instances/{id}");
        Assert.Equal(HttpStatusCode.Accepted, running.StatusCode);
        Assert.Equal(new Uri(_server.Address, $"api/instances/{id}"), running.Headers.Location);
        Assert.Equal(TimeSpan.FromSeconds(5), running.Headers.RetryAfter?.Delta);
        var body = await running.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Running", body.GetProperty("runtimeStatus").GetString());
        Assert.Equal(TestOrchestrations.WaitForApproval, body.GetProperty("name").GetString());

        using var raised = await _server.SendAsync(HttpMethod.Post, $"api/instances/{id}/raiseEvent/approve", JsonContent.Create("looks good"));
        Assert.Equal(HttpStatusCode.Accepted, raised.StatusCode);
        await _server.Durable.WaitForInstanceCompletionAsync(id);

        using var done = await _server.SendAsync(HttpMethod.Get, $"api/instances/{id}");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var finished = await done.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Completed", finished.GetProperty("runtimeStatus").GetString());
        Assert.Equal("looks good", finished.GetProperty("output").GetString());
        Assert.True(finished.TryGetProperty("completedTime", out _));
    }

    [Fact]
    public async Task Failed_instance_shows_type_and_message_but_no_stack_trace()
    {
        var id = await _server.Durable.ScheduleNewOrchestrationAsync(TestOrchestrations.Fail, "the manuscript is empty", new() { InstanceId = "fail-1" });
        await _server.Durable.WaitForInstanceCompletionAsync(id);

        using var response = await _server.SendAsync(HttpMethod.Get, $"api/instances/{id}");
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Failed", body.GetProperty("runtimeStatus").GetString());
        Assert.Equal("the manuscript is empty", body.GetProperty("failure").GetProperty("message").GetString());
        Assert.Equal(typeof(InvalidOperationException).FullName, body.GetProperty("failure").GetProperty("type").GetString());
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_pages_with_top_and_continuation_and_filters_by_status()
    {
        for (var i = 0; i < 5; i++)
        {
            await _server.Durable.ScheduleNewOrchestrationAsync(TestOrchestrations.Echo, $"e{i}", new() { InstanceId = $"echo-{i}" });
        }

        await _server.Durable.ScheduleNewOrchestrationAsync(TestOrchestrations.WaitForApproval, null, new() { InstanceId = "waiting-1" });
        for (var i = 0; i < 5; i++)
        {
            await _server.Durable.WaitForInstanceCompletionAsync($"echo-{i}");
        }

        await _server.Durable.WaitForInstanceStartAsync("waiting-1");

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = "api/instances?top=2" + (token is null ? string.Empty : "&continuation=" + Uri.EscapeDataString(token));
            using var response = await _server.SendAsync(HttpMethod.Get, url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            var items = page.GetProperty("instances").EnumerateArray().ToList();
            Assert.InRange(items.Count, 0, 2);
            seen.AddRange(items.Select(i => i.GetProperty("instanceId").GetString()!));
            token = page.TryGetProperty("continuationToken", out var t) ? t.GetString() : null;
            Assert.Equal(token, response.Headers.TryGetValues("x-ms-continuation-token", out var h) ? h.Single() : null);
            pages++;
        }
        while (token is not null);

        Assert.Equal(["echo-0", "echo-1", "echo-2", "echo-3", "echo-4", "waiting-1"], seen.Order());
        Assert.True(pages >= 3);

        using var running = await _server.SendAsync(HttpMethod.Get, "api/instances?status=running,pending&details=true");
        var onlyRunning = await running.Content.ReadFromJsonAsync<JsonElement>();
        var item = Assert.Single(onlyRunning.GetProperty("instances").EnumerateArray());
        Assert.Equal("waiting-1", item.GetProperty("instanceId").GetString());
        Assert.False(item.TryGetProperty("input", out _));

        using var completed = await _server.SendAsync(HttpMethod.Get, "api/instances?status=Completed&showInput=true");
        var withInput = await completed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(withInput.GetProperty("instances").EnumerateArray(), i =>
            Assert.Equal(i.GetProperty("input").GetString(), i.GetProperty("output").GetString()));
    }

    [Theory]
    [InlineData("api/instances?status=Sleeping", "Sleeping")]
    [InlineData("api/instances?top=0", "1-1000")]
    [InlineData("api/instances?top=1001", "1-1000")]
    [InlineData("api/instances?continuation=not-a-token", "continuation")]
    public async Task Bad_list_queries_are_400_problems_naming_the_value(string url, string mention)
    {
        using var response = await _server.SendAsync(HttpMethod.Get, url);
        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, mention);
    }

    [Fact]
    public async Task Terminate_suspend_resume_work_on_a_live_instance_and_are_410_once_it_has_finished()
    {
        var id = await _server.Durable.ScheduleNewOrchestrationAsync(TestOrchestrations.WaitForApproval, null, new() { InstanceId = "control-1" });
        await _server.Durable.WaitForInstanceStartAsync(id);

        using (var suspend = await _server.SendAsync(HttpMethod.Post, $"api/instances/{id}/suspend?reason=lunch"))
        {
            Assert.Equal(HttpStatusCode.Accepted, suspend.StatusCode);
        }

        await ApiTestServer.WaitForAsync(() => _server.Durable.GetInstanceAsync(id), m => m.RuntimeStatus == OrchestrationRuntimeStatus.Suspended, "suspended");
        using (var resume = await _server.SendAsync(HttpMethod.Post, $"api/instances/{id}/resume"))
        {
            Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        }

        await ApiTestServer.WaitForAsync(() => _server.Durable.GetInstanceAsync(id), m => m.RuntimeStatus == OrchestrationRuntimeStatus.Running, "resumed");
        using (var terminate = await _server.SendAsync(HttpMethod.Post, $"api/instances/{id}/terminate?reason=changed%20my%20mind"))
        {
            Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
        }

        var ended = await _server.Durable.WaitForInstanceCompletionAsync(id);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, ended.RuntimeStatus);

        foreach (var verb in new[] { "terminate", "suspend", "resume", "raiseEvent/approve" })
        {
            using var late = await _server.SendAsync(HttpMethod.Post, $"api/instances/{id}/{verb}");
            await ProblemAssert.IsAsync(late, HttpStatusCode.Gone, "Terminated");
        }
    }

    [Fact]
    public async Task Purge_is_409_while_running_200_when_finished_then_404()
    {
        var id = await _server.Durable.ScheduleNewOrchestrationAsync(TestOrchestrations.WaitForApproval, null, new() { InstanceId = "purge-1" });
        await _server.Durable.WaitForInstanceStartAsync(id);
        using (var early = await _server.SendAsync(HttpMethod.Delete, $"api/instances/{id}"))
        {
            await ProblemAssert.IsAsync(early, HttpStatusCode.Conflict, "terminate it first");
        }

        await _server.Durable.RaiseEventAsync(id, "approve", "ok");
        await _server.Durable.WaitForInstanceCompletionAsync(id);
        using (var purged = await _server.SendAsync(HttpMethod.Delete, $"api/instances/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
            Assert.Equal(1, (await purged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instancesDeleted").GetInt32());
        }

        using var again = await _server.SendAsync(HttpMethod.Delete, $"api/instances/{id}");
        await ProblemAssert.IsAsync(again, HttpStatusCode.NotFound, id);
        using var status = await _server.SendAsync(HttpMethod.Get, $"api/instances/{id}");
        await ProblemAssert.IsAsync(status, HttpStatusCode.NotFound, id);
    }

    [Fact]
    public async Task Raise_event_refuses_bodies_that_are_not_json_or_too_large_and_unknown_instances()
    {
        var id = await _server.Durable.ScheduleNewOrchestrationAsync(TestOrchestrations.WaitForApproval, null, new() { InstanceId = "event-1" });
        await _server.Durable.WaitForInstanceStartAsync(id);

        using (var bad = await _server.SendAsync(HttpMethod.Post, $"api/instances/{id}/raiseEvent/approve", new StringContent("{not json", Encoding.UTF8, "application/json")))
        {
            await ProblemAssert.IsAsync(bad, HttpStatusCode.BadRequest, "not valid JSON");
        }

        var big = JsonSerializer.Serialize(new string('x', 70 * 1024));
        using (var large = await _server.SendAsync(HttpMethod.Post, $"api/instances/{id}/raiseEvent/approve", new StringContent(big, Encoding.UTF8, "application/json")))
        {
            await ProblemAssert.IsAsync(large, HttpStatusCode.RequestEntityTooLarge, "65536");
        }

        using var missing = await _server.SendAsync(HttpMethod.Post, "api/instances/nobody/raiseEvent/approve", JsonContent.Create(1));
        await ProblemAssert.IsAsync(missing, HttpStatusCode.NotFound, "nobody");

        // The instance is still waiting: neither refused request reached it.
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await _server.Durable.GetInstanceAsync(id))!.RuntimeStatus);
    }

    [Fact]
    public async Task An_instance_id_the_runtime_refuses_is_a_400()
    {
        var tooLong = new string('a', 300);
        using var response = await _server.SendAsync(HttpMethod.Get, $"api/instances/{tooLong}");
        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, "1-256 characters");
    }
}
