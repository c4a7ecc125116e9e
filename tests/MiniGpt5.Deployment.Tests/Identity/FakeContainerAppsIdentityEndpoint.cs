using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace MiniGpt5.Deployment.Tests.Identity;

/// <summary>
/// A local stand-in for the Container Apps managed identity endpoint (learn.microsoft.com
/// container-apps/managed-identity "REST endpoint reference"): GET $IDENTITY_ENDPOINT?resource=...&amp;
/// api-version=2019-08-01[&amp;client_id=...] with header X-IDENTITY-HEADER: $IDENTITY_HEADER, answered with
/// {access_token, expires_on (Unix seconds), resource, token_type, client_id}. It rejects a wrong or missing
/// header with 401, as the platform does, and records every request.
/// </summary>
internal sealed class FakeContainerAppsIdentityEndpoint : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<RecordedRequest> _requests = [];

    public FakeContainerAppsIdentityEndpoint(string identityHeader, string accessToken, DateTimeOffset expiresOn)
    {
        IdentityHeader = identityHeader;
        AccessToken = accessToken;
        ExpiresOn = expiresOn;
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/msi/token");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/msi/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>An endpoint with a random identity header that issues a fresh token valid for an hour.</summary>
    public static FakeContainerAppsIdentityEndpoint StartWithNewToken(out string token, out DateTimeOffset expiresOn)
    {
        // Whole seconds: the protocol carries expires_on in Unix seconds.
        expiresOn = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        token = "fake-storage-token-" + Guid.NewGuid().ToString("N");
        return new FakeContainerAppsIdentityEndpoint("identity-header-" + Guid.NewGuid().ToString("N"), token, expiresOn);
    }

    /// <summary>The IDENTITY_ENDPOINT value to give the client.</summary>
    public Uri Endpoint { get; }

    public string IdentityHeader { get; }

    public string AccessToken { get; }

    public DateTimeOffset ExpiresOn { get; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // Stopping the listener ends the pending GetContextAsync with one of these.
        }

        _listener.Close();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var context = await _listener.GetContextAsync();
            var request = context.Request;
            lock (_requests)
            {
                _requests.Add(new RecordedRequest(request.HttpMethod, request.Url!.AbsolutePath, request.QueryString, request.Headers));
            }

            var response = context.Response;
            if (request.Headers["X-IDENTITY-HEADER"] != IdentityHeader)
            {
                await WriteAsync(response, HttpStatusCode.Unauthorized, """{"error":"invalid_request","error_description":"missing or wrong X-IDENTITY-HEADER"}""");
                continue;
            }

            var body = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["access_token"] = AccessToken,
                ["expires_on"] = ExpiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["resource"] = request.QueryString["resource"] ?? string.Empty,
                ["token_type"] = "Bearer",
                ["client_id"] = request.QueryString["client_id"] ?? "00000000-0000-0000-0000-00000000a11d",
            });
            await WriteAsync(response, HttpStatusCode.OK, body);
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, HttpStatusCode status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        response.StatusCode = (int)status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
