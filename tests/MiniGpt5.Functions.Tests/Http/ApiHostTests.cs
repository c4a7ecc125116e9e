using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MiniGpt5.Functions.Http;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Tests.Http;

public sealed class ApiHostTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Listen_address_prefers_the_functions_port_then_urls_then_aspnetcore_variables_then_the_default()
    {
        Assert.Equal(["http://127.0.0.1:7071"], ApiListenAddresses.Resolve(["http://0.0.0.0:9000"], Env(("FUNCTIONS_CUSTOMHANDLER_PORT", "7071"), ("ASPNETCORE_URLS", "http://+:1"))));
        Assert.Equal(["http://0.0.0.0:9000"], ApiListenAddresses.Resolve(["http://0.0.0.0:9000"], Env(("ASPNETCORE_HTTP_PORTS", "8080"))));
        Assert.Null(ApiListenAddresses.Resolve(null, Env(("ASPNETCORE_HTTP_PORTS", "8080"))));
        Assert.Null(ApiListenAddresses.Resolve([], Env(("ASPNETCORE_URLS", "http://+:5000"))));
        Assert.Equal([ApiHostOptions.DefaultUrl], ApiListenAddresses.Resolve(null, Env()));
        Assert.True(ApiListenAddresses.IsFunctionsCustomHandler(Env(("FUNCTIONS_CUSTOMHANDLER_PORT", "7071"))));
        Assert.False(ApiListenAddresses.IsFunctionsCustomHandler(Env()));
        var bad = Assert.Throws<SettingsException>(() => ApiListenAddresses.Resolve(null, Env(("FUNCTIONS_CUSTOMHANDLER_PORT", "70000"))));
        Assert.Contains("FUNCTIONS_CUSTOMHANDLER_PORT", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_the_functions_host_it_listens_on_loopback_leaves_ingestion_and_schedules_to_the_host_and_opens_the_trigger_routes()
    {
        var root = Directory.CreateTempSubdirectory("minigpt5-apihost-");
        try
        {
            var port = FreePort();
            var settings = new MiniGpt5Settings { Storage = "local:" + root.FullName, ApiKeys = ["k"], PartitionCount = 1, TaskQueues = ["default"], SchedulesPath = Path.Combine(root.FullName, "schedules") };
            await using var app = ApiHost.Build(settings, StorageAccount.Local(root.FullName),
                new ApiHostOptions { ConfigureLogging = _ => { } }, Env(("FUNCTIONS_CUSTOMHANDLER_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            Assert.DoesNotContain(app.Services.GetServices<IHostedService>(), s => s is BackgroundLoopService);
            await app.StartAsync();
            Assert.Equal([$"http://127.0.0.1:{port}"], app.Urls);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await ApiTestServer.WaitForAsync(
                async () => (await http.GetAsync("readyz")).StatusCode == HttpStatusCode.OK ? "ready" : null, _ => true, "readiness");
            using var tick = await http.PostAsJsonAsync("RunSchedules", new { Data = new { timer = new { } }, Metadata = new { } });
            Assert.Equal(HttpStatusCode.OK, tick.StatusCode);
            using var api = await http.GetAsync("api/instances");
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode); // the rest still needs the key
            await app.StopAsync();
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Standalone_it_runs_the_ingestion_and_schedule_loops_and_readiness_fails_when_storage_is_unreachable()
    {
        var port = FreePort();
        var dead = FreePort(); // nothing listens there
        var settings = new MiniGpt5Settings { ApiKeys = [], PartitionCount = 1, TaskQueues = ["default"] };
        var account = StorageAccount.FromConnectionString(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{dead}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{dead}/devstoreaccount1;");
        await using var app = ApiHost.Build(settings, account,
            new ApiHostOptions { Urls = [$"http://127.0.0.1:{port}"], RunDispatcher = false, ConfigureLogging = _ => { } }, Env());
        Assert.Equal(2, app.Services.GetServices<IHostedService>().OfType<BackgroundLoopService>().Count());
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        using var live = await http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode); // liveness never touches storage
        using var ready = await http.GetAsync("readyz");
        await ProblemAssert.IsAsync(ready, HttpStatusCode.ServiceUnavailable, "Storage");
        await app.StopAsync();
    }

    [Fact]
    public void Request_options_bind_like_front_matter_with_lists_and_typed_values()
    {
        var options = RequestOptionsBinder.Bind(
            [
                new("seed", ["42"]), new("guidance_scale", ["6.5"]), new("sampler", ["dpm++"]), new("formats", ["html, md"]),
                new("review", ["true"]), new("size", ["512x384"]), new("style", ["flat colours"]),
            ],
            "book.md (request options)")!;

        Assert.Equal(42u, options.Seed);
        Assert.Equal(6.5, options.GuidanceScale);
        Assert.Equal("dpmsolver++", options.Scheduler);
        Assert.Equal([BookFormat.Html, BookFormat.Markdown], options.Formats);
        Assert.True(options.ReviewGate);
        Assert.Equal((512, 384), (options.ImageWidth, options.ImageHeight));
        Assert.Equal("flat colours", options.Style);
        Assert.Null(RequestOptionsBinder.Bind([], "x"));
        var unknown = Assert.Throws<ManuscriptException>(() => RequestOptionsBinder.Bind([new("colour", ["red"])], "book.md (request options)"));
        Assert.Contains("unknown key 'colour'", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("book.md (request options)", unknown.Error.Source);
    }

    [Theory]
    [InlineData("{\"eventType\":\"Microsoft.Storage.BlobCreated\",\"subject\":\"/blobServices/default/containers/manuscripts/blobs/a/b c.md\",\"data\":{\"eTag\":\"0x8D\"}}")]
    [InlineData("[{\"eventType\":\"Microsoft.Storage.BlobCreated\",\"subject\":\"/blobServices/default/containers/manuscripts/blobs/a/b c.md\",\"data\":{\"eTag\":\"0x8D\"}}]")]
    public void Blob_created_events_parse_from_the_queue_text_or_the_object(string json)
    {
        var asText = BlobCreatedEvent.Parse(JsonSerializer.SerializeToElement(json));
        var asObject = BlobCreatedEvent.Parse(JsonDocument.Parse(json).RootElement);
        Assert.Equal(new BlobCreatedEvent("Microsoft.Storage.BlobCreated", "manuscripts", "a/b c.md", "0x8D"), asText);
        Assert.Equal(asText, asObject);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
