using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;
using MiniGpt5.Durable.Hosting;
using MiniGpt5.Functions.Http;
using MiniGpt5.Functions.Ingestion;
using MiniGpt5.Functions.Schedules;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Tests.Http;

/// <summary>
/// The HTTP API on real Kestrel (127.0.0.1, a port the OS picks) over the local file-system stores in a temporary
/// folder, with an in-process durable worker running the small test orchestrations in <see cref="TestOrchestrations"/>.
/// </summary>
internal sealed class ApiTestServer : IAsyncDisposable
{
    public const string Key = "test-key-0123456789";

    private readonly WebApplication _app;
    private readonly DirectoryInfo _root;

    private ApiTestServer(WebApplication app, DirectoryInfo root, Uri address)
    {
        _app = app;
        _root = root;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Client { get; }

    public DurableClient Durable => _app.Services.GetRequiredService<DurableClient>();

    public IBlobStore Blobs => _app.Services.GetRequiredService<IBlobStore>();

    public IServiceProvider Services => _app.Services;

    public static async Task<ApiTestServer> StartAsync(HttpApiOptions? options = null, long maxManuscriptBytes = 1024 * 1024, string? schedulesPath = null)
    {
        options ??= new HttpApiOptions { ApiKeys = [Key], MaxManuscriptBytes = maxManuscriptBytes };
        var root = Directory.CreateTempSubdirectory("minigpt5-api-");
        var account = StorageAccount.Local(root.FullName);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(account.Blobs).AddSingleton(account.Queues);
        var settings = new MiniGpt5Settings { Storage = "local:" + root.FullName, ApiKeys = options.ApiKeys, MaxManuscriptBytes = options.MaxManuscriptBytes,
            SchedulesPath = schedulesPath ?? Path.Combine(root.FullName, "schedules"),
        };
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<ManuscriptSubmitter>();
        builder.Services.AddSingleton<ManuscriptIngestion>();
        builder.Services.AddSingleton<DatasetScheduler>();
        TestOrchestrations.Register(builder.Services.AddDurableTask(o =>
        {
            o.HubName = "apitest";
            o.PartitionCount = 1;
        })).AddWorker(w => w.TaskQueues = ["default"]);
        builder.Services.AddMiniGpt5HttpApi(options);
        var app = builder.Build();
        app.UseMiniGpt5HttpApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiTestServer(app, root, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    /// <summary>A request with the test key in x-api-key.</summary>
    public static HttpRequestMessage Authorized(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("x-api-key", Key);
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null) =>
        Client.SendAsync(Authorized(method, path, content));

    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (value is not null && done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file handle the worker has not released yet; the OS cleans temp eventually.
        }
    }

    public static MediaTypeHeaderValue Json => new("application/json");
}
