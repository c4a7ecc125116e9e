using Azure.Core;
using Azure.Identity;

namespace MiniGpt5.Deployment.Tests.Identity;

/// <summary>
/// The identity path the deployed apps take, against a fake Container Apps identity endpoint: Azure.Identity
/// finds IDENTITY_ENDPOINT/IDENTITY_HEADER, asks for a Storage token with the 2019-08-01 protocol, names the
/// user-assigned identity by client id, and hands back the token the endpoint issued.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ManagedIdentityTokenTests
{
    private static readonly TokenRequestContext StorageScope = new(["https://storage.azure.com/.default"]);

    [Fact]
    public async Task User_assigned_identity_token_request_has_the_container_apps_shape()
    {
        var clientId = Guid.NewGuid().ToString();
        await using var endpoint = FakeContainerAppsIdentityEndpoint.StartWithNewToken(out var token, out var expiresOn);
        using var environment = new IdentityEnvironment(endpoint.Endpoint, endpoint.IdentityHeader);
        var credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));

        var accessToken = await credential.GetTokenAsync(StorageScope, CancellationToken.None);

        Assert.Equal(token, accessToken.Token);
        // MSAL turns expires_on into a lifetime and adds it to its own clock: equal to within a few seconds.
        Assert.InRange(accessToken.ExpiresOn, expiresOn.AddSeconds(-5), expiresOn.AddSeconds(5));
        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/msi/token", request.Path);
        Assert.Equal("2019-08-01", request.Query["api-version"]);
        Assert.Equal(clientId, request.Query["client_id"]);
        Assert.Equal(endpoint.IdentityHeader, request.Headers["X-IDENTITY-HEADER"]);
        // The scope's "/.default" is dropped; the endpoint takes the audience with or without a trailing slash.
        Assert.Equal("https://storage.azure.com", request.Query["resource"]!.TrimEnd('/'));
        Assert.Null(request.Headers["Authorization"]);
    }

    [Fact]
    public async Task System_assigned_identity_sends_no_client_id()
    {
        await using var endpoint = FakeContainerAppsIdentityEndpoint.StartWithNewToken(out var token, out _);
        using var environment = new IdentityEnvironment(endpoint.Endpoint, endpoint.IdentityHeader);
        var credential = new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);

        var accessToken = await credential.GetTokenAsync(new TokenRequestContext(["https://storage.azure.com//.default"]), CancellationToken.None);

        Assert.Equal(token, accessToken.Token);
        var request = Assert.Single(endpoint.Requests);
        Assert.Null(request.Query["client_id"]);
        Assert.Equal("https://storage.azure.com/", request.Query["resource"]);
    }

    [Fact]
    public async Task Azure_client_id_from_the_app_settings_selects_the_user_assigned_identity()
    {
        // The Bicep sets AZURE_CLIENT_ID on every app; DefaultAzureCredential reads it for the managed identity.
        var clientId = Guid.NewGuid().ToString();
        await using var endpoint = FakeContainerAppsIdentityEndpoint.StartWithNewToken(out var token, out _);
        using var environment = new IdentityEnvironment(
            endpoint.Endpoint,
            endpoint.IdentityHeader,
            new Dictionary<string, string> { ["AZURE_CLIENT_ID"] = clientId, ["AZURE_TOKEN_CREDENTIALS"] = "ManagedIdentityCredential" });
        var credential = new DefaultAzureCredential();

        var accessToken = await credential.GetTokenAsync(StorageScope, CancellationToken.None);

        Assert.Equal(token, accessToken.Token);
        Assert.Equal(clientId, Assert.Single(endpoint.Requests).Query["client_id"]);
    }

    [Fact]
    public async Task A_wrong_identity_header_fails_with_an_authentication_error_not_a_token()
    {
        await using var endpoint = FakeContainerAppsIdentityEndpoint.StartWithNewToken(out _, out _);
        using var environment = new IdentityEnvironment(endpoint.Endpoint, "not-the-header");
        var credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(Guid.NewGuid().ToString()));

        await Assert.ThrowsAnyAsync<AuthenticationFailedException>(() => credential.GetTokenAsync(StorageScope, CancellationToken.None).AsTask());
        Assert.NotEmpty(endpoint.Requests);
        Assert.All(endpoint.Requests, r => Assert.Equal("not-the-header", r.Headers["X-IDENTITY-HEADER"]));
    }
}
