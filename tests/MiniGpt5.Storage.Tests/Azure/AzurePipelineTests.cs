using System.Net;
using global::Azure.Core;
using global::Azure.Core.Pipeline;
using MiniGpt5.Storage.Azure;

namespace MiniGpt5.Storage.Tests.Azure;

/// <summary>
/// The pipeline around the REST calls, against an in-process stub: retries with back-off on 503 and network
/// errors, per-try timeouts, cancellation, the pinned x-ms-version, Shared Key / SAS / bearer authorization,
/// and error bodies mapped to typed exceptions.
/// </summary>
public sealed class AzurePipelineTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string SharedKeyConnection =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Key +
        ";BlobEndpoint=http://stub.invalid/devstoreaccount1;QueueEndpoint=http://stub.invalid/q/devstoreaccount1";

    private static AzureStorageOptions FastRetries(StubHandler handler, TimeSpan? networkTimeout = null)
    {
        var options = new AzureStorageOptions { Transport = new HttpClientTransport(new HttpClient(handler)) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        options.Retry.MaxRetries = 3;
        if (networkTimeout is { } timeout)
        {
            options.Retry.NetworkTimeout = timeout;
        }

        return options;
    }

    [Fact]
    public async Task A_503_is_retried_and_every_try_is_signed_again()
    {
        var handler = new StubHandler((_, attempt, _) => Task.FromResult(
            attempt == 1 ? StubHandler.Error(HttpStatusCode.ServiceUnavailable, "ServerBusy") : StubHandler.Created()));
        var blobs = StorageAccount.FromConnectionString(SharedKeyConnection, FastRetries(handler)).Blobs;

        var result = await blobs.PutAsync("books", "chapter 1/page.png", new MemoryStream([1, 2, 3]));

        Assert.Equal("\"0x1\"", result.ETag);
        var requests = handler.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.All(requests, r =>
        {
            Assert.StartsWith("SharedKey devstoreaccount1:", r.Headers["Authorization"], StringComparison.Ordinal);
            Assert.Equal("2025-11-05", r.Headers["x-ms-version"]);
            Assert.Equal("BlockBlob", r.Headers["x-ms-blob-type"]);
            Assert.Equal(new byte[] { 1, 2, 3 }, r.Body); // The retry re-sent the whole body.
            Assert.Equal("/devstoreaccount1/books/chapter%201/page.png", r.Uri.AbsolutePath);
        });
    }

    [Fact]
    public async Task A_network_error_is_retried()
    {
        var handler = new StubHandler((_, attempt, _) => attempt == 1
            ? throw new HttpRequestException("Connection reset by peer")
            : Task.FromResult(StubHandler.Created()));
        var blobs = StorageAccount.FromConnectionString(SharedKeyConnection, FastRetries(handler)).Blobs;
        await blobs.PutAsync("books", "a", new MemoryStream([9]));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task A_server_that_stays_busy_fails_with_the_status_after_the_retries()
    {
        var handler = new StubHandler((_, _, _) => Task.FromResult(StubHandler.Error(HttpStatusCode.ServiceUnavailable, "ServerBusy", "The server is busy.")));
        var blobs = StorageAccount.FromConnectionString(SharedKeyConnection, FastRetries(handler)).Blobs;

        var e = await Assert.ThrowsAsync<StorageException>(() => blobs.PutAsync("books", "a", new MemoryStream([9])));

        Assert.Equal(4, handler.Requests.Count); // 1 try + 3 retries.
        Assert.Equal(503, e.Status);
        Assert.Equal("ServerBusy", e.ErrorCode);
        Assert.Contains("blob 'a' in container 'books'", e.Message, StringComparison.Ordinal);
        Assert.Contains("The server is busy.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RequestId", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_errors_are_not_retried_and_map_to_typed_exceptions()
    {
        var handler = new StubHandler((_, _, _) => Task.FromResult(StubHandler.Error(HttpStatusCode.PreconditionFailed, "LeaseIdMismatchWithBlobOperation")));
        var blobs = StorageAccount.FromConnectionString(SharedKeyConnection, FastRetries(handler)).Blobs;
        var e = await Assert.ThrowsAsync<BlobConditionFailedException>(() => blobs.PutAsync("books", "a", new MemoryStream([9])));
        Assert.Equal("LeaseIdMismatchWithBlobOperation", e.ErrorCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_try_that_hangs_past_the_network_timeout_is_retried()
    {
        var handler = new StubHandler(async (_, attempt, token) =>
        {
            if (attempt == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), token);
            }

            return StubHandler.Created();
        });
        var blobs = StorageAccount.FromConnectionString(SharedKeyConnection, FastRetries(handler, TimeSpan.FromMilliseconds(300))).Blobs;
        var started = DateTime.UtcNow;
        await blobs.PutAsync("books", "a", new MemoryStream([9]));
        Assert.Equal(2, handler.Requests.Count);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Cancellation_stops_the_call_and_is_not_dressed_as_a_storage_error()
    {
        var handler = new StubHandler(async (_, _, token) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), token);
            return StubHandler.Created();
        });
        var blobs = StorageAccount.FromConnectionString(SharedKeyConnection, FastRetries(handler)).Blobs;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blobs.PutAsync("books", "a", new MemoryStream([9]), cancellationToken: cancel.Token));
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Unreachable_service_names_the_endpoint_but_not_the_sas()
    {
        var handler = new StubHandler((_, _, _) => throw new HttpRequestException("Connection refused (stub.invalid:80)"));
        var connection = "BlobEndpoint=http://stub.invalid/acct;QueueEndpoint=http://stub.invalid/acct;SharedAccessSignature=sv=2025-11-05&ss=bq&sig=TOPSECRET";
        var queues = StorageAccount.FromConnectionString(connection, FastRetries(handler)).Queues;
        var e = await Assert.ThrowsAsync<StorageException>(() => queues.SendAsync("jobs", "x"));
        Assert.Equal("ServiceUnreachable", e.ErrorCode);
        Assert.Contains("http://stub.invalid/acct", e.Message, StringComparison.Ordinal);
        Assert.Contains("queue 'jobs'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("TOPSECRET", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sas_is_appended_to_every_request_and_no_key_is_sent()
    {
        var handler = new StubHandler((_, _, _) => Task.FromResult(StubHandler.Created()));
        var connection = "BlobEndpoint=https://acct.blob.core.windows.net;QueueEndpoint=https://acct.queue.core.windows.net;SharedAccessSignature=?sv=2025-11-05&ss=bq&srt=sco&sp=rwdlacup&se=2030-01-01T00%3A00%3A00Z&sig=abc%2B%2Fdef%3D";
        var blobs = StorageAccount.FromConnectionString(connection, FastRetries(handler)).Blobs;
        await blobs.PutAsync("books", "a b", new MemoryStream([1]));
        var request = Assert.Single(handler.Requests);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Contains("sig=abc%2B%2Fdef%3D", request.Uri.Query, StringComparison.Ordinal); // Not encoded twice.
        Assert.Contains("se=2030-01-01T00%3A00%3A00Z", request.Uri.Query, StringComparison.Ordinal);
        Assert.Equal("/books/a%20b", request.Uri.AbsolutePath);
    }

    [Fact]
    public async Task Entra_id_sends_a_bearer_token_for_the_storage_scope()
    {
        var credential = new RecordingCredential("token-123");
        var handler = new StubHandler((_, _, _) => Task.FromResult(StubHandler.Created()));
        var options = FastRetries(handler);
        options.Credential = credential;
        var blobs = StorageAccount.FromConnectionString("AccountName=mybooks", options).Blobs;

        await blobs.PutAsync("books", "a", new MemoryStream([1]));

        var request = Assert.Single(handler.Requests);
        Assert.Equal("Bearer token-123", request.Headers["Authorization"]);
        Assert.Equal("2025-11-05", request.Headers["x-ms-version"]);
        Assert.Equal(new Uri("https://mybooks.blob.core.windows.net/books/a"), request.Uri);
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes);
    }

    [Fact]
    public async Task No_credential_available_is_a_configuration_error()
    {
        var handler = new StubHandler((_, _, _) => Task.FromResult(StubHandler.Created()));
        var options = FastRetries(handler);
        options.Credential = new UnavailableCredential();
        var blobs = StorageAccount.FromConnectionString("AccountName=mybooks", options).Blobs;
        var e = await Assert.ThrowsAsync<StorageConfigurationException>(() => blobs.CreateContainerAsync("books"));
        Assert.Contains("could not get an Entra ID token", e.Message, StringComparison.Ordinal);
        Assert.Contains("no managed identity endpoint", e.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Rbac_refusal_explains_which_roles_are_missing()
    {
        var handler = new StubHandler((_, _, _) => Task.FromResult(StubHandler.Error(HttpStatusCode.Forbidden, "AuthorizationPermissionMismatch")));
        var options = FastRetries(handler);
        options.Credential = new RecordingCredential("token");
        var queues = StorageAccount.FromConnectionString("AccountName=mybooks", options).Queues;
        var e = await Assert.ThrowsAsync<StorageConfigurationException>(() => queues.CreateQueueAsync("jobs"));
        Assert.Contains("Storage Queue Data Contributor", e.Message, StringComparison.Ordinal);
        Assert.Equal(403, e.Status);
    }

    [Fact]
    public async Task Shared_keys_switched_off_is_explained()
    {
        var handler = new StubHandler((_, _, _) => Task.FromResult(StubHandler.Error(HttpStatusCode.Forbidden, "KeyBasedAuthenticationNotPermitted")));
        var blobs = StorageAccount.FromConnectionString(SharedKeyConnection, FastRetries(handler)).Blobs;
        var e = await Assert.ThrowsAsync<StorageConfigurationException>(() => blobs.CreateContainerAsync("books"));
        Assert.Contains("shared keys switched off", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, e.Message, StringComparison.Ordinal);
    }

    private sealed class UnavailableCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new global::Azure.Identity.CredentialUnavailableException("no managed identity endpoint found");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new global::Azure.Identity.CredentialUnavailableException("no managed identity endpoint found");
    }

    private sealed class RecordingCredential(string token) : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
