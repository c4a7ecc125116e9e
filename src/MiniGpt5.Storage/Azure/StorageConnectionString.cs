using System.Globalization;

namespace MiniGpt5.Storage.Azure;

/// <summary>How requests to the account are authorized.</summary>
public enum StorageAuthMode
{
    /// <summary>Shared Key: an HMAC of each request with the account key.</summary>
    SharedKey,

    /// <summary>A shared access signature appended to every URL.</summary>
    SharedAccessSignature,

    /// <summary>Entra ID bearer tokens (managed identity, Azure CLI login, ...): for accounts with shared keys switched off.</summary>
    EntraId,
}

/// <summary>
/// A parsed Azure Storage connection string. Accepted forms (keys are case-insensitive):
/// <list type="bullet">
/// <item><c>UseDevelopmentStorage=true</c> — Azurite on its default ports with the well-known account.</item>
/// <item><c>DefaultEndpointsProtocol=https;AccountName=x;AccountKey=...;EndpointSuffix=core.windows.net</c>, optionally
/// with explicit <c>BlobEndpoint=</c>/<c>QueueEndpoint=</c> (Azurite, custom domains).</item>
/// <item><c>BlobEndpoint=...;QueueEndpoint=...;SharedAccessSignature=sv=...&amp;sig=...</c> (or with <c>AccountName</c> instead of endpoints).</item>
/// <item><c>AccountName=x</c> alone (optionally <c>EndpointSuffix</c>, <c>Credential=managedidentity</c>, <c>ClientId=</c>):
/// Entra ID tokens, for accounts where shared keys are off.</item>
/// </list>
/// <see cref="ToString"/> never shows the key or the signature.
/// </summary>
public sealed class StorageConnectionString
{
    /// <summary>The emulator's well-known development account.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly string[] KnownKeys =
    [
        "DefaultEndpointsProtocol", "AccountName", "AccountKey", "BlobEndpoint", "QueueEndpoint", "TableEndpoint",
        "FileEndpoint", "EndpointSuffix", "SharedAccessSignature", "UseDevelopmentStorage", "DevelopmentStorageProxyUri",
        "Credential", "ClientId",
    ];

    private StorageConnectionString(
        string? accountName,
        Uri blobEndpoint,
        Uri queueEndpoint,
        StorageAuthMode authMode,
        byte[]? accountKey,
        string? sasToken,
        string? managedIdentityClientId,
        bool managedIdentityOnly)
    {
        AccountName = accountName;
        BlobEndpoint = blobEndpoint;
        QueueEndpoint = queueEndpoint;
        AuthMode = authMode;
        AccountKey = accountKey;
        SasToken = sasToken;
        ManagedIdentityClientId = managedIdentityClientId;
        ManagedIdentityOnly = managedIdentityOnly;
    }

    /// <summary>The account name, when the string gave one.</summary>
    public string? AccountName { get; }

    /// <summary>Blob service URL (IP style for Azurite: <c>http://127.0.0.1:10000/devstoreaccount1</c>).</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>Queue service URL.</summary>
    public Uri QueueEndpoint { get; }

    /// <summary>How requests are authorized.</summary>
    public StorageAuthMode AuthMode { get; }

    /// <summary>The decoded key (Shared Key only).</summary>
    internal byte[]? AccountKey { get; }

    /// <summary>The SAS query, without a leading '?'.</summary>
    internal string? SasToken { get; }

    /// <summary>Client id of a user-assigned managed identity (<c>ClientId=</c>).</summary>
    public string? ManagedIdentityClientId { get; }

    /// <summary>True for <c>Credential=managedidentity</c>: use the managed identity only, not the full DefaultAzureCredential chain.</summary>
    public bool ManagedIdentityOnly { get; }

    /// <summary>Parses and checks a connection string. Throws <see cref="StorageConfigurationException"/> saying what is wrong (never echoing secrets).</summary>
    public static StorageConnectionString Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw Bad("the connection string is empty.");
        }

        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var segments = connectionString.Split(';');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i].Trim();
            if (segment.Length == 0)
            {
                continue;
            }

            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                // Do not echo the segment: it might be a pasted key without its "AccountKey=" name.
                throw Bad($"segment {i + 1} ({segment.Length} characters) is not of the form Name=Value.");
            }

            var key = segment[..equals].Trim();
            var value = segment[(equals + 1)..].Trim();
            var known = Array.Find(KnownKeys, k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                // Echo the name only when it looks like one: a pasted key or signature may hold '=' too.
                var shown = key.Length <= 40 && key.All(char.IsAsciiLetter) ? $"'{key}'" : $"in segment {i + 1} ({key.Length} characters)";
                throw Bad($"unknown setting {shown}. Known settings: {string.Join(", ", KnownKeys)}.");
            }

            if (!settings.TryAdd(known, value))
            {
                throw Bad($"'{known}' appears more than once.");
            }
        }

        return settings.ContainsKey("UseDevelopmentStorage") ? ParseDevelopment(settings) : ParseAccount(settings);
    }

    /// <summary>Account, endpoints and auth mode; no secrets.</summary>
    public override string ToString()
    {
        var auth = AuthMode switch
        {
            StorageAuthMode.SharedKey => "shared key",
            StorageAuthMode.SharedAccessSignature => "SAS token",
            _ => ManagedIdentityOnly ? "managed identity" : "Entra ID (DefaultAzureCredential)",
        };
        return string.Create(
            CultureInfo.InvariantCulture,
            $"account '{AccountName ?? "(from SAS)"}', blob {BlobEndpoint}, queue {QueueEndpoint}, {auth}");
    }

    private static StorageConnectionString ParseDevelopment(Dictionary<string, string> settings)
    {
        if (!string.Equals(settings["UseDevelopmentStorage"], "true", StringComparison.OrdinalIgnoreCase))
        {
            throw Bad("UseDevelopmentStorage must be 'true' when present.");
        }

        var extra = settings.Keys.Where(k => k is not "UseDevelopmentStorage" and not "DevelopmentStorageProxyUri").ToList();
        if (extra.Count > 0)
        {
            throw Bad($"UseDevelopmentStorage=true cannot be combined with {string.Join(", ", extra)}; give a full connection string instead.");
        }

        var host = new Uri("http://127.0.0.1");
        if (settings.TryGetValue("DevelopmentStorageProxyUri", out var proxy))
        {
            host = ParseEndpoint("DevelopmentStorageProxyUri", proxy);
        }

        Uri Endpoint(int port) => new UriBuilder(host.Scheme, host.Host, port, "/" + DevelopmentAccountName).Uri;
        return new StorageConnectionString(
            DevelopmentAccountName,
            Endpoint(10000),
            Endpoint(10001),
            StorageAuthMode.SharedKey,
            Convert.FromBase64String(DevelopmentAccountKey),
            sasToken: null,
            managedIdentityClientId: null,
            managedIdentityOnly: false);
    }

    private static StorageConnectionString ParseAccount(Dictionary<string, string> settings)
    {
        settings.TryGetValue("AccountName", out var accountName);
        if (accountName is not null && !IsValidAccountName(accountName))
        {
            throw Bad($"AccountName '{accountName}' is not a storage account name (3-24 lowercase letters and digits).");
        }

        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https").ToLowerInvariant();
        if (protocol is not ("http" or "https"))
        {
            throw Bad($"DefaultEndpointsProtocol is '{protocol}'; use https (or http for an emulator).");
        }

        if (settings.ContainsKey("AccountKey") && accountName is null)
        {
            throw Bad("AccountKey is given but AccountName is missing; Shared Key signing needs both.");
        }

        var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net").Trim('.');
        Uri? blob = settings.TryGetValue("BlobEndpoint", out var b) ? ParseEndpoint("BlobEndpoint", b) : null;
        Uri? queue = settings.TryGetValue("QueueEndpoint", out var q) ? ParseEndpoint("QueueEndpoint", q) : null;
        blob ??= accountName is null ? null : new Uri($"{protocol}://{accountName}.blob.{suffix}");
        queue ??= accountName is null ? null : new Uri($"{protocol}://{accountName}.queue.{suffix}");
        if (blob is null || queue is null)
        {
            throw Bad($"{(blob is null ? "BlobEndpoint" : "QueueEndpoint")} is missing, and there is no AccountName to derive it from.");
        }

        var hasKey = settings.TryGetValue("AccountKey", out var keyText);
        var hasSas = settings.TryGetValue("SharedAccessSignature", out var sas);
        if (hasKey && hasSas)
        {
            throw Bad("give either AccountKey or SharedAccessSignature, not both.");
        }

        if ((hasKey || hasSas) && (settings.ContainsKey("Credential") || settings.ContainsKey("ClientId")))
        {
            throw Bad("Credential and ClientId select Entra ID auth; they cannot be combined with AccountKey or SharedAccessSignature.");
        }

        if (hasKey)
        {

            var key = DecodeKey(keyText!, accountName!);
            return new StorageConnectionString(accountName, blob, queue, StorageAuthMode.SharedKey, key, null, null, false);
        }

        if (hasSas)
        {
            var token = sas!.TrimStart('?');
            var parameters = token.Split('&').Select(p => p.Split('=', 2)[0]).ToList();
            if (!parameters.Contains("sig", StringComparer.Ordinal))
            {
                throw Bad("SharedAccessSignature has no 'sig' parameter; copy the whole SAS token (sv=...&...&sig=...).");
            }

            if (!parameters.Contains("sv", StringComparer.Ordinal))
            {
                throw Bad("SharedAccessSignature has no 'sv' (signed version) parameter; copy the whole SAS token.");
            }

            return new StorageConnectionString(accountName, blob, queue, StorageAuthMode.SharedAccessSignature, null, token, null, false);
        }

        if (accountName is null)
        {
            throw Bad("there is no AccountName, AccountKey or SharedAccessSignature: nothing says which account or how to sign in.");
        }

        string? managedIdentityOnly = settings.GetValueOrDefault("Credential");
        if (managedIdentityOnly is not null && !string.Equals(managedIdentityOnly, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            throw Bad($"Credential '{managedIdentityOnly}' is not supported; the only value is 'managedidentity' (leave it out for DefaultAzureCredential).");
        }

        foreach (var (name, endpoint) in new[] { ("BlobEndpoint", blob), ("QueueEndpoint", queue) })
        {
            if (endpoint.Scheme != Uri.UriSchemeHttps)
            {
                throw Bad($"Entra ID tokens are only sent over https, but {name} is {endpoint}. Use https, or an AccountKey/SAS for an emulator.");
            }
        }

        return new StorageConnectionString(
            accountName,
            blob,
            queue,
            StorageAuthMode.EntraId,
            null,
            null,
            settings.GetValueOrDefault("ClientId"),
            managedIdentityOnly is not null);
    }

    private static byte[] DecodeKey(string keyText, string accountName)
    {
        if (keyText.Length == 0)
        {
            throw Bad($"AccountKey for account '{accountName}' is empty.");
        }

        var buffer = new byte[keyText.Length];
        if (!Convert.TryFromBase64String(keyText, buffer, out var written) || written == 0)
        {
            throw Bad($"AccountKey for account '{accountName}' is not valid base64 ({keyText.Length} characters). Copy key1 or key2 from the portal or 'az storage account keys list' whole.");
        }

        return buffer[..written];
    }

    private static Uri ParseEndpoint(string name, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw Bad($"{name} '{value}' is not an absolute http(s) URL.");
        }

        if (!string.IsNullOrEmpty(uri.Query))
        {
            throw Bad($"{name} carries a query string; put a SAS token in SharedAccessSignature instead.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/'));
    }

    private static bool IsValidAccountName(string name) =>
        name.Length is >= 3 and <= 24 && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9');

    private static StorageConfigurationException Bad(string problem) =>
        new($"Storage connection string: {problem}") { ErrorCode = "InvalidConnectionString" };
}
