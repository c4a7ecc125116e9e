using Azure.Core;

namespace MiniGpt5.Storage.Azure;

/// <summary>
/// Pipeline settings of the Azure REST client: retries (exponential back-off with jitter on 408/429/500/502/503/504
/// and transient network errors; the per-try timeout is <see cref="RetryOptions.NetworkTimeout"/>), the HTTP
/// transport (tests plug in a stub), and the Entra ID credential for the account-name-only connection string.
/// </summary>
public sealed class AzureStorageOptions : ClientOptions
{
    /// <summary>Retries 5 times, from 0.4 s up to 30 s apart, each try limited to 100 s without progress.</summary>
    public AzureStorageOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 5;
        Retry.Delay = TimeSpan.FromSeconds(0.4);
        Retry.MaxDelay = TimeSpan.FromSeconds(30);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
    }

    /// <summary>
    /// Credential for Entra ID auth (the <c>AccountName=</c>-only connection string). Null means
    /// <c>DefaultAzureCredential</c>, or <c>ManagedIdentityCredential</c> when the connection string says
    /// <c>Credential=managedidentity</c>.
    /// </summary>
    public TokenCredential? Credential { get; set; }
}
