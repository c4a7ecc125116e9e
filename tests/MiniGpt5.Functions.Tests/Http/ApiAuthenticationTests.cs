using System.Net;
using System.Net.Http.Json;
using MiniGpt5.Functions.Http;
using MiniGpt5.Testing;

namespace MiniGpt5.Functions.Tests.Http;

public sealed class ApiAuthenticationTests
{
    [Fact]
    public void Key_validator_accepts_exactly_the_configured_keys()
    {
        var keys = new ApiKeyValidator(["alpha-key", " beta-key ", "", "  "]);

        Assert.Equal(2, keys.Count);
        Assert.True(keys.IsValid("alpha-key"));
        Assert.True(keys.IsValid("beta-key"));
        Assert.False(keys.IsValid("alpha-ke"));
        Assert.False(keys.IsValid("alpha-key2"));
        Assert.False(keys.IsValid("ALPHA-KEY"));
        Assert.False(keys.IsValid(""));
        Assert.False(keys.IsValid(null));
        Assert.False(new ApiKeyValidator([]).IsValid("anything"));
    }

    [Fact]
    public void Session_cookie_is_valid_for_its_key_until_it_expires_and_not_when_tampered()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var sessions = new ApiSessionCookie(["k1", "k2"], clock);
        var cookie = sessions.Issue("k2");

        Assert.True(sessions.IsValid(cookie));
        Assert.False(new ApiSessionCookie(["k1"], clock).IsValid(cookie)); // k2 was removed: its sessions end
        var dot = cookie.IndexOf('.', StringComparison.Ordinal);
        Assert.False(sessions.IsValid((long.Parse(cookie[..dot], System.Globalization.CultureInfo.InvariantCulture) + 3600) + cookie[dot..]));
        Assert.False(sessions.IsValid(cookie[..^1] + (cookie[^1] == '0' ? '1' : '0')));
        Assert.False(sessions.IsValid("garbage"));
        Assert.False(sessions.IsValid("123.zz"));

        clock.Advance(ApiSessionCookie.Lifetime + TimeSpan.FromSeconds(1));
        Assert.False(sessions.IsValid(cookie));
    }

    [Fact]
    public async Task Api_needs_a_valid_key_while_probes_page_and_openapi_stay_open()
    {
        await using var server = await ApiTestServer.StartAsync();

        using (var none = await server.Client.GetAsync("api/instances"))
        {
            await ProblemAssert.IsAsync(none, HttpStatusCode.Unauthorized, "x-api-key");
            Assert.Contains("ApiKey", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "api/instances"))
        {
            wrong.Headers.Add("x-api-key", "not-the-key");
            using var response = await server.Client.SendAsync(wrong);
            await ProblemAssert.IsAsync(response, HttpStatusCode.Unauthorized, "not valid");
        }

        using (var right = await server.SendAsync(HttpMethod.Get, "api/instances"))
        {
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }

        foreach (var open in new[] { "healthz", "readyz", "", "status", "openapi.json" })
        {
            using var response = await server.Client.GetAsync(open);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"/{open} answered {(int)response.StatusCode}");
        }

        // Unknown paths do not reveal what exists without a key.
        using var unknown = await server.Client.GetAsync("api/nothing-here");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);

        // Books need credentials too.
        using var book = await server.Client.GetAsync("books/some-book-0123456789abcdef/index.html");
        Assert.Equal(HttpStatusCode.Unauthorized, book.StatusCode);
    }

    [Fact]
    public async Task Session_cookie_authorises_reads_but_never_changes()
    {
        await using var server = await ApiTestServer.StartAsync();
        using var login = await server.SendAsync(HttpMethod.Post, "api/session");
        Assert.Equal(HttpStatusCode.NoContent, login.StatusCode);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ApiTestServer.Key, setCookie, StringComparison.Ordinal);
        var cookie = setCookie.Split(';')[0];

        var id = await server.Durable.ScheduleNewOrchestrationAsync(TestOrchestrations.WaitForApproval, null, new() { InstanceId = "cookie-1" });
        await server.Durable.WaitForInstanceStartAsync(id);

        using (var read = new HttpRequestMessage(HttpMethod.Get, $"api/instances/{id}"))
        {
            read.Headers.Add("Cookie", cookie);
            using var response = await server.Client.SendAsync(read);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using (var write = new HttpRequestMessage(HttpMethod.Post, $"api/instances/{id}/terminate"))
        {
            write.Headers.Add("Cookie", cookie);
            using var response = await server.Client.SendAsync(write);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(MiniGpt5.Durable.OrchestrationRuntimeStatus.Running, (await server.Durable.GetInstanceAsync(id))!.RuntimeStatus);
    }

    [Fact]
    public async Task Without_keys_the_api_is_open_and_platform_authentication_is_honoured_only_when_trusted()
    {
        await using (var open = await ApiTestServer.StartAsync(new HttpApiOptions()))
        {
            using var response = await open.Client.GetAsync("api/instances");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using (var platform = await ApiTestServer.StartAsync(new HttpApiOptions { TrustPlatformAuthentication = true }))
        {
            using var anonymous = await platform.Client.GetAsync("api/instances");
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var signedIn = new HttpRequestMessage(HttpMethod.Get, "api/instances");
            signedIn.Headers.Add("X-MS-CLIENT-PRINCIPAL-ID", "00000000-0000-0000-0000-000000000001");
            using var response = await platform.Client.SendAsync(signedIn);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var keysOnly = await ApiTestServer.StartAsync();
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "api/instances");
        spoofed.Headers.Add("X-MS-CLIENT-PRINCIPAL-ID", "00000000-0000-0000-0000-000000000001");
        using var refused = await keysOnly.Client.SendAsync(spoofed);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Functions_trigger_routes_need_a_key_unless_running_as_a_custom_handler()
    {
        var invocation = new { Data = new { @event = "{\"eventType\":\"Microsoft.Storage.BlobCreated\",\"subject\":\"/blobServices/default/containers/other/blobs/x.md\",\"data\":{\"eTag\":\"0x1\"}}" }, Metadata = new { } };
        await using (var api = await ApiTestServer.StartAsync())
        {
            using var response = await api.Client.PostAsJsonAsync("IngestManuscript", invocation);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        await using var handler = await ApiTestServer.StartAsync(new HttpApiOptions { ApiKeys = [ApiTestServer.Key], FunctionsCustomHandler = true });
        using var host = await handler.Client.PostAsJsonAsync("IngestManuscript", invocation);
        Assert.Equal(HttpStatusCode.OK, host.StatusCode);
    }
}
