using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MiniGpt5.Durable.Tests.Faults;

/// <summary>
/// An HTTP proxy in front of one Azurite service that misbehaves on purpose: every Nth request answered 503
/// without reaching storage, every Mth request applied but answered 503 (the lost-response case), and queue
/// Put Message requests delivered twice. Shared Key signatures survive: they cover the path, not the port.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Transfer-Encoding", "Keep-Alive", "Proxy-Connection", "Upgrade", "Content-Length",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private readonly Uri _target;
    private long _requests;
    private long _rejected;
    private long _lost;
    private long _duplicated;

    private FaultProxy(WebApplication app, Uri target)
    {
        _app = app;
        _target = target;
    }

    /// <summary>The proxied service URL (same account path as the target).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every Nth request gets a 503 and is not forwarded (0 = never).</summary>
    public int RejectEveryNth { get; set; }

    /// <summary>Every Mth request is forwarded, but the caller gets a 503 (0 = never).</summary>
    public int LoseEveryNth { get; set; }

    /// <summary>Queue Put Message requests are sent to storage twice.</summary>
    public bool DuplicatePutMessage { get; set; }

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Lost => Interlocked.Read(ref _lost);

    public long Duplicated => Interlocked.Read(ref _duplicated);

    public static async Task<FaultProxy> StartAsync(Uri target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var proxy = new FaultProxy(app, target);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.Endpoint = new Uri(address.TrimEnd('/') + target.AbsolutePath);
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var n = Interlocked.Increment(ref _requests);
        if (RejectEveryNth > 0 && n % RejectEveryNth == 0)
        {
            Interlocked.Increment(ref _rejected);
            await ServerBusyAsync(context);
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var targetUri = new Uri(_target.GetLeftPart(UriPartial.Authority) + context.Request.Path + context.Request.QueryString);
        using var response = await _http.SendAsync(Copy(context.Request, targetUri, body), context.RequestAborted);
        if (DuplicatePutMessage && context.Request.Method == "POST" && context.Request.Path.Value!.EndsWith("/messages", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _duplicated);
            using var again = await _http.SendAsync(Copy(context.Request, targetUri, body), context.RequestAborted);
        }

        if (LoseEveryNth > 0 && n % LoseEveryNth == 0)
        {
            Interlocked.Increment(ref _lost);
            await ServerBusyAsync(context);
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(header.Key))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static HttpRequestMessage Copy(HttpRequest request, Uri target, byte[] body)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        if (body.Length > 0 || request.Method is "PUT" or "POST")
        {
            message.Content = new ByteArrayContent(body);
        }

        foreach (var header in request.Headers)
        {
            if (HopByHop.Contains(header.Key))
            {
                continue;
            }

            if (header.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
            else
            {
                message.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }

        return message;
    }

    private static async Task ServerBusyAsync(HttpContext context)
    {
        context.Response.StatusCode = 503;
        context.Response.ContentType = "application/xml";
        context.Response.Headers["x-ms-error-code"] = "ServerBusy";
        await context.Response.WriteAsync(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code><Message>Injected by the fault proxy.</Message></Error>",
            context.RequestAborted);
    }
}
