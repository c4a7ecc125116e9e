using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MiniGpt5.Functions.Http;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Tests.Http;

public sealed class FunctionsTriggerTests : IAsyncLifetime
{
    private ApiTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ApiTestServer.StartAsync(new HttpApiOptions { ApiKeys = [ApiTestServer.Key], FunctionsCustomHandler = true });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_blob_created_event_starts_one_run_per_name_and_etag_and_answers_in_the_host_shape()
    {
        var etag = await UploadAsync("stories/blue.md", "# Blue\n\nA blue square on white.\n");
        var invocation = Invocation(Event("/blobServices/default/containers/manuscripts/blobs/stories/blue.md", etag));

        using var first = await _server.Client.PostAsJsonAsync("IngestManuscript", invocation);
        var text = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
        var log = Assert.Single(body.GetProperty("Logs").EnumerateArray()).GetString()!;
        Assert.StartsWith("started IllustrateManuscript ", log, StringComparison.Ordinal);

        var id = MiniGpt5.Functions.Manuscripts.ManuscriptId.ForBlob("stories/blue.md", etag);
        Assert.NotNull(await _server.Durable.GetInstanceAsync(id));

        // At-least-once delivery: the same event again finds the same run.
        using var second = await _server.Client.PostAsJsonAsync("IngestManuscript", invocation);
        var again = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Logs")[0].GetString()!;
        Assert.StartsWith("nothing to start for manuscripts/stories/blue.md", again, StringComparison.Ordinal);
        Assert.Single((await _server.Durable.QueryInstancesAsync()).Instances);
    }

    [Fact]
    public async Task Events_for_other_containers_submitted_copies_or_replaced_blobs_start_nothing()
    {
        var old = await UploadAsync("a.md", "First text.\n");
        await UploadAsync("a.md", "Second text.\n");
        foreach (var (subject, etag, expected) in new[]
        {
            ("/blobServices/default/containers/illustrated/blobs/x/index.html", "0x1", "ignored"),
            ("/blobServices/default/containers/manuscripts/blobs/_submitted/abc/a.md", "0x1", "ignored"),
            ("/blobServices/default/containers/manuscripts/blobs/a.md", old, "nothing to start"),
            ("/blobServices/default/containers/manuscripts/blobs/gone.md", "0x1", "nothing to start"),
        })
        {
            using var response = await _server.Client.PostAsJsonAsync("IngestManuscript", Invocation(Event(subject, etag)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var log = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Logs")[0].GetString()!;
            Assert.Contains(expected, log, StringComparison.Ordinal);
        }

        Assert.Empty((await _server.Durable.QueryInstancesAsync()).Instances);
    }

    [Theory]
    [InlineData("{\"Data\": {}}", "Data.event")]
    [InlineData("not json", "not JSON")]
    [InlineData("{\"Data\": {\"event\": \"{}\"}}", "eventType")]
    [InlineData("{\"Data\": {\"event\": \"{\\\"eventType\\\": \\\"x\\\", \\\"subject\\\": \\\"/nowhere\\\"}\"}}", "/nowhere")]
    public async Task Malformed_invocations_are_400_problems(string payload, string mention)
    {
        using var response = await _server.Client.PostAsync("IngestManuscript", new StringContent(payload, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, mention);
    }

    private static object Invocation(string eventText) => new
    {
        Data = new { @event = eventText },
        Metadata = new { Id = "m1", DequeueCount = "1", sys = new { MethodName = "IngestManuscript", UtcNow = "2026-01-01T10:00:00.000Z" } },
    };

    private static string Event(string subject, string etag) => JsonSerializer.Serialize(new
    {
        id = Guid.NewGuid().ToString(),
        eventType = "Microsoft.Storage.BlobCreated",
        subject,
        data = new { url = "http://127.0.0.1/x", eTag = etag, contentType = "text/markdown" },
        eventTime = "2026-01-01T10:00:00Z",
    });

    private async Task<string> UploadAsync(string name, string text)
    {
        await _server.Blobs.CreateContainerAsync(ManuscriptSubmitter.ManuscriptsContainer);
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return (await _server.Blobs.PutAsync(ManuscriptSubmitter.ManuscriptsContainer, name, content, new BlobPutOptions())).ETag;
    }
}

public sealed class RunSchedulesTriggerTests : IAsyncLifetime
{
    private readonly DirectoryInfo _schedules = Directory.CreateTempSubdirectory("minigpt5-schedules-");
    private ApiTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiTestServer.StartAsync(
        new HttpApiOptions { ApiKeys = [ApiTestServer.Key], FunctionsCustomHandler = true }, schedulesPath: _schedules.FullName);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _schedules.Delete(recursive: true);
    }

    [Fact]
    public async Task A_timer_tick_starts_each_due_run_once_named_by_its_due_time()
    {
        var due = DateTime.UtcNow.AddMinutes(-2);
        await File.WriteAllTextAsync(Path.Combine(_schedules.FullName, "shapes.json"), JsonSerializer.Serialize(new
        {
            name = "shapes",
            cron = $"{due.Minute} {due.Hour} * * *",
            seed = 5,
            prompts = new[] { "A red circle." },
        }));
        var tick = Tick(DateTime.UtcNow);

        using var first = await _server.Client.PostAsJsonAsync("RunSchedules", tick);
        var text = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, text);
        var logs = JsonDocument.Parse(text).RootElement.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()!).ToList();
        var started = Assert.Single(logs, l => l.StartsWith("started ", StringComparison.Ordinal));
        Assert.Contains("schedule shapes", started, StringComparison.Ordinal);
        Assert.Single((await _server.Durable.QueryInstancesAsync()).Instances);

        // The timer fires twice around a host restart: the second tick starts nothing new.
        using var second = await _server.Client.PostAsJsonAsync("RunSchedules", tick);
        var again = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Logs").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.DoesNotContain(again, l => l.StartsWith("started ", StringComparison.Ordinal));
        Assert.Single((await _server.Durable.QueryInstancesAsync()).Instances);
    }

    [Fact]
    public async Task A_tick_time_far_from_the_clock_is_not_trusted()
    {
        using var response = await _server.Client.PostAsJsonAsync("RunSchedules", Tick(DateTime.UtcNow.AddDays(-3)));
        var logs = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Logs").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(logs, l => l.Contains("from this host's clock", StringComparison.Ordinal));
    }

    private static object Tick(DateTime utcNow) => new
    {
        Data = new { timer = new { Schedule = new { AdjustForDST = true }, IsPastDue = false } },
        Metadata = new { sys = new { MethodName = "RunSchedules", UtcNow = utcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) } },
    };
}
