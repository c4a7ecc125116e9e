using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace MiniGpt5.Storage.Azure;

/// <summary>
/// One service endpoint (blob or queue) behind an Azure.Core pipeline:
/// per call, the pinned x-ms-version and the SAS token (if any); then Azure.Core's retry policy; per try, the
/// Shared Key signature or the bearer token. Builds requests from escaped paths and turns failures into typed
/// exceptions.
/// </summary>
internal sealed class AzureRestClient
{
    /// <summary>Entra ID scope for Azure Storage.</summary>
    public const string StorageScope = "https://storage.azure.com/.default";

    private readonly HttpPipeline _pipeline;
    private readonly string _endpointText;

    public AzureRestClient(Uri endpoint, string service, StorageConnectionString settings, AzureStorageOptions options, TokenCredential? credential)
    {
        Endpoint = endpoint;
        Service = service;
        AuthMode = settings.AuthMode;
        Account = settings.AccountName ?? AccountFromEndpoint(endpoint);
        _endpointText = endpoint.AbsoluteUri.TrimEnd('/');

        var perCall = new List<HttpPipelinePolicy> { ServiceVersionPolicy.Instance };
        var perRetry = new List<HttpPipelinePolicy>();
        switch (settings.AuthMode)
        {
            case StorageAuthMode.SharedKey:
                perRetry.Add(new SharedKeyPolicy(new SharedKeySigner(settings.AccountName!, settings.AccountKey!), TimeProvider.System));
                break;
            case StorageAuthMode.SharedAccessSignature:
                perCall.Add(new SasPolicy(settings.SasToken!));
                break;
            case StorageAuthMode.EntraId:
                perRetry.Add(new BearerTokenAuthenticationPolicy(
                    credential ?? throw new ArgumentNullException(nameof(credential), "Entra ID auth needs a credential."),
                    StorageScope));
                break;
        }

        _pipeline = HttpPipelineBuilder.Build(options, [.. perCall], [.. perRetry], responseClassifier: null);
    }

    public Uri Endpoint { get; }

    /// <summary>"blob" or "queue", for messages.</summary>
    public string Service { get; }

    public string Account { get; }

    public StorageAuthMode AuthMode { get; }

    /// <summary>A request to <paramref name="escapedPath"/> (already URL-escaped, no leading '/') with query parameters (escaped here).</summary>
    public HttpMessage CreateMessage(RequestMethod method, string escapedPath, params (string Name, string? Value)[] query)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        var uri = new System.Text.StringBuilder(_endpointText);
        if (escapedPath.Length > 0)
        {
            uri.Append('/').Append(escapedPath);
        }

        var first = true;
        foreach (var (name, value) in query)
        {
            if (value is null)
            {
                continue;
            }

            uri.Append(first ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }

        request.Uri.Reset(new Uri(uri.ToString()));
        return message;
    }

    /// <summary>
    /// Sends the message and returns its response; a failure status becomes a typed exception unless
    /// <paramref name="tolerate"/> accepts it (status, error code). Network failures after all retries become a
    /// <see cref="StorageException"/> naming the endpoint; the caller's cancellation propagates as is.
    /// </summary>
    public async Task<Response> SendAsync(
        HttpMessage message,
        StorageOperation operation,
        CancellationToken cancellationToken,
        Func<int, string?, bool>? tolerate = null)
    {
        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (global::Azure.Identity.AuthenticationFailedException e)
        {
            // No token at all (no managed identity here, not logged in, ...): the credential's message lists what it tried.
            throw new StorageConfigurationException(
                $"{operation.Name} on {operation.Target}: could not get an Entra ID token for the {Service} service: {e.Message}",
                e)
            {
                ErrorCode = "CredentialUnavailable",
            };
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or IOException or System.Net.Http.HttpRequestException or OperationCanceledException)
        {
            throw new StorageException(
                $"{operation.Name} on {operation.Target} could not reach the {Service} service at {_endpointText}: {Describe(e)}",
                e)
            {
                Status = 0,
                ErrorCode = e is OperationCanceledException ? "Timeout" : "ServiceUnreachable",
            };
        }

        var response = message.Response;
        if (response.Status < 300 || (response.Status < 400 && response.Status != 304))
        {
            return response;
        }

        var error = await StorageErrorMapper.CreateAsync(response, operation, AuthMode, cancellationToken).ConfigureAwait(false);
        if (tolerate is not null && tolerate(response.Status, error.ErrorCode))
        {
            return response;
        }

        throw error;
    }

    /// <summary>Escapes a blob path: each '/'-separated segment on its own, so '/' stays a separator.</summary>
    public static string EscapePath(string container, string? blob) =>
        blob is null ? container : container + "/" + string.Join('/', blob.Split('/').Select(Uri.EscapeDataString));

    public static string Seconds(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>The account an endpoint names: the first path segment in IP style (emulators), else the host's first label.</summary>
    private static string AccountFromEndpoint(Uri endpoint)
    {
        var ipStyle = endpoint.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || endpoint.IsLoopback;
        var firstSegment = endpoint.AbsolutePath.Trim('/').Split('/')[0];
        return ipStyle && firstSegment.Length > 0 ? firstSegment : endpoint.Host.Split('.')[0];
    }

    private static string Describe(Exception e) => e switch
    {
        AggregateException aggregate => $"{aggregate.InnerExceptions.Count} tries failed; the last: {Describe(aggregate.InnerExceptions[^1])}",
        OperationCanceledException => "the request timed out (see AzureStorageOptions.Retry.NetworkTimeout)",
        _ => e.Message,
    };
}
