using Azure.Core;
using Azure.Identity;
using MiniGpt5.Storage.Azure;
using MiniGpt5.Storage.Local;

namespace MiniGpt5.Storage;

/// <summary>
/// A blob store and a queue store over one storage account: what the app, the durable runtime and the CLI ask
/// for. <see cref="Local"/> gives the embedded file-system store; <see cref="FromConnectionString"/> gives the
/// Azure REST client (Azure or Azurite); <see cref="FromSetting"/> maps the CLI's <c>--storage local|&lt;connection string&gt;</c>.
/// </summary>
public sealed class StorageAccount
{
    private StorageAccount(IBlobStore blobs, IQueueStore queues, string description, bool isLocal)
    {
        Blobs = blobs;
        Queues = queues;
        Description = description;
        IsLocal = isLocal;
    }

    /// <summary>Blob storage.</summary>
    public IBlobStore Blobs { get; }

    /// <summary>Queue storage.</summary>
    public IQueueStore Queues { get; }

    /// <summary>Where the data lives and how we sign in, for logs and CLI output. Never holds a secret.</summary>
    public string Description { get; }

    /// <summary>True for the local file-system store.</summary>
    public bool IsLocal { get; }

    /// <summary>The local file-system store rooted at <paramref name="rootPath"/> (created if missing).</summary>
    public static StorageAccount Local(string rootPath, LocalStorageOptions? options = null)
    {
        var blobs = new LocalBlobStore(rootPath, options);
        var queues = new LocalQueueStore(rootPath, options);
        return new StorageAccount(blobs, queues, $"local store at {blobs.RootPath}", isLocal: true);
    }

    /// <summary>
    /// Azure Storage (or Azurite) from a connection string; see <see cref="StorageConnectionString"/> for the
    /// accepted forms. A bad string throws <see cref="StorageConfigurationException"/> saying what is wrong.
    /// </summary>
    public static StorageAccount FromConnectionString(string connectionString, AzureStorageOptions? options = null)
    {
        var settings = StorageConnectionString.Parse(connectionString);
        options ??= new AzureStorageOptions();
        TokenCredential? credential = null;
        if (settings.AuthMode == StorageAuthMode.EntraId)
        {
            credential = options.Credential ?? DefaultCredential(settings);
        }

        var blobs = new AzureBlobStore(new AzureRestClient(settings.BlobEndpoint, "blob", settings, options, credential));
        var queues = new AzureQueueStore(new AzureRestClient(settings.QueueEndpoint, "queue", settings, options, credential));
        return new StorageAccount(blobs, queues, $"Azure Storage: {settings}", isLocal: false);
    }

    /// <summary>
    /// The CLI's <c>--storage</c> value: <c>local</c> (the store under <paramref name="defaultLocalRoot"/>),
    /// <c>local:&lt;folder&gt;</c>, or a connection string.
    /// </summary>
    public static StorageAccount FromSetting(string setting, string defaultLocalRoot, AzureStorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(setting);
        var trimmed = setting.Trim();
        if (string.Equals(trimmed, "local", StringComparison.OrdinalIgnoreCase))
        {
            return Local(defaultLocalRoot);
        }

        if (trimmed.StartsWith("local:", StringComparison.OrdinalIgnoreCase))
        {
            return Local(trimmed["local:".Length..]);
        }

        return FromConnectionString(trimmed, options);
    }

    private static TokenCredential DefaultCredential(StorageConnectionString settings)
    {
        if (settings.ManagedIdentityOnly)
        {
            return settings.ManagedIdentityClientId is { } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
        }

        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ManagedIdentityClientId });
    }
}
