using System.Net;
using Azure.Core.Pipeline;
using MiniGpt5.Storage;
using MiniGpt5.Storage.Azure;

namespace MiniGpt5.Deployment.Tests.Identity;

/// <summary>
/// The whole path a deployed app takes when shared keys are off: the connection string the Bicep writes
/// (<c>AccountName=...;Credential=managedidentity;ClientId=...</c>) makes our storage client ask the Container Apps
/// identity endpoint for a Storage token and send it as a bearer token on every Blob and Queue request. The
/// storage service is replaced by a recording transport (Azure.Core refuses bearer tokens over plain http, so a
/// local fake service would need TLS); the identity endpoint is the fake one the other identity tests use.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class StorageClientManagedIdentityTests
{
    [Fact]
    public async Task Blob_and_queue_requests_carry_the_managed_identity_token()
    {
        var clientId = Guid.NewGuid().ToString();
        await using var endpoint = FakeContainerAppsIdentityEndpoint.StartWithNewToken(out var token, out _);
        using var environment = new IdentityEnvironment(endpoint.Endpoint, endpoint.IdentityHeader);
        using var storage = new RecordingStorageHandler();
        using var http = new HttpClient(storage);
        var options = new AzureStorageOptions { Transport = new HttpClientTransport(http) };
        options.Retry.MaxRetries = 0;

        var account = StorageAccount.FromConnectionString($"AccountName=illustrations;Credential=managedidentity;ClientId={clientId}", options);
        Assert.True(await account.Blobs.CreateContainerAsync("books"));
        Assert.True(await account.Queues.CreateQueueAsync("hub-control-00"));

        Assert.Collection(
            storage.Requests,
            blob =>
            {
                Assert.Equal("https://illustrations.blob.core.windows.net/books?restype=container", blob.Uri);
                Assert.Equal("Bearer " + token, blob.Authorization);
            },
            queue =>
            {
                Assert.Equal("https://illustrations.queue.core.windows.net/hub-control-00", queue.Uri);
                Assert.Equal("Bearer " + token, queue.Authorization);
            });
        // One token request serves both clients' first calls or one each; never more than that, and always for
        // the user-assigned identity the connection string names.
        Assert.InRange(endpoint.Requests.Count, 1, 2);
        Assert.All(endpoint.Requests, r => Assert.Equal(clientId, r.Query["client_id"]));
        Assert.DoesNotContain(token, account.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_identity_is_a_configuration_error_that_names_the_cause_and_sends_nothing_to_storage()
    {
        await using var endpoint = new FakeContainerAppsIdentityEndpoint("the-real-header", "unused", DateTimeOffset.UtcNow.AddHours(1));
        using var environment = new IdentityEnvironment(endpoint.Endpoint, "a-wrong-header");
        using var storage = new RecordingStorageHandler();
        using var http = new HttpClient(storage);
        var options = new AzureStorageOptions { Transport = new HttpClientTransport(http) };
        options.Retry.MaxRetries = 0;

        var account = StorageAccount.FromConnectionString("AccountName=illustrations;Credential=managedidentity", options);

        var error = await Assert.ThrowsAsync<StorageConfigurationException>(() => account.Blobs.CreateContainerAsync("books"));
        Assert.Contains("could not get an Entra ID token", error.Message, StringComparison.Ordinal);
        Assert.Contains("X-IDENTITY-HEADER", error.Message, StringComparison.Ordinal);
        Assert.Empty(storage.Requests);
    }

    /// <summary>Answers every storage request with 201 Created and records its URI and Authorization header.</summary>
    private sealed class RecordingStorageHandler : HttpMessageHandler
    {
        private readonly List<(string Uri, string? Authorization)> _requests = [];

        public IReadOnlyList<(string Uri, string? Authorization)> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_requests)
            {
                _requests.Add((request.RequestUri!.ToString(), request.Headers.Authorization?.ToString()));
            }

            var response = new HttpResponseMessage(HttpStatusCode.Created) { RequestMessage = request, Content = new ByteArrayContent([]) };
            response.Headers.Add("x-ms-request-id", Guid.NewGuid().ToString());
            response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"0x8DC0000000000001\"");
            return Task.FromResult(response);
        }
    }
}
