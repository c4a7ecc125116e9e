using System.Globalization;
using System.Text;

namespace MiniGpt5.Storage.Azure;

/// <summary>What an account SAS allows.</summary>
[Flags]
public enum AccountSasPermissions
{
    None = 0,
    Read = 1,
    Write = 2,
    Delete = 4,
    List = 8,
    Add = 16,
    Create = 32,
    Update = 64,
    Process = 128,
    All = Read | Write | Delete | List | Add | Create | Update | Process,
}

/// <summary>
/// Account shared access signatures (learn.microsoft.com/rest/api/storageservices/create-account-sas) for the blob
/// and queue services, signed with the account key of a Shared Key connection string: hand a worker or a user a
/// time-limited token instead of the key. String to sign (version 2020-12-06 and later):
/// <c>account\npermissions\nservices\nresourceTypes\nstart\nexpiry\nip\nprotocol\nversion\nencryptionScope\n</c>.
/// </summary>
public static class AccountSas
{
    /// <summary>
    /// A SAS token (no leading '?') for blob and queue, service/container/object resources, valid until
    /// <paramref name="expiresOn"/>. Only https is allowed unless the account's endpoints are http (an emulator).
    /// </summary>
    public static string Create(
        string connectionString,
        DateTimeOffset expiresOn,
        AccountSasPermissions permissions = AccountSasPermissions.All,
        DateTimeOffset? startsOn = null)
    {
        var settings = StorageConnectionString.Parse(connectionString);
        if (settings.AuthMode != StorageAuthMode.SharedKey)
        {
            throw new StorageConfigurationException("An account SAS is signed with the account key; this connection string has no AccountKey.");
        }

        if (permissions == AccountSasPermissions.None)
        {
            throw new ArgumentException("An account SAS needs at least one permission.", nameof(permissions));
        }

        var signer = new SharedKeySigner(settings.AccountName!, settings.AccountKey!);
        var letters = Letters(permissions);
        const string Services = "bq";
        const string ResourceTypes = "sco";
        var start = startsOn is { } s ? Iso(s) : string.Empty;
        var expiry = Iso(expiresOn);
        var protocol = settings.BlobEndpoint.Scheme == Uri.UriSchemeHttps && settings.QueueEndpoint.Scheme == Uri.UriSchemeHttps
            ? "https"
            : "https,http";
        var version = ServiceVersionPolicy.Version;
        var stringToSign = string.Join(
            '\n',
            settings.AccountName,
            letters,
            Services,
            ResourceTypes,
            start,
            expiry,
            string.Empty, // signed IP range
            protocol,
            version,
            string.Empty, // encryption scope
            string.Empty);
        var signature = signer.Signature(stringToSign);

        var token = new StringBuilder();
        token.Append("sv=").Append(version)
            .Append("&ss=").Append(Services)
            .Append("&srt=").Append(ResourceTypes)
            .Append("&sp=").Append(letters);
        if (start.Length > 0)
        {
            token.Append("&st=").Append(Uri.EscapeDataString(start));
        }

        token.Append("&se=").Append(Uri.EscapeDataString(expiry))
            .Append("&spr=").Append(Uri.EscapeDataString(protocol))
            .Append("&sig=").Append(Uri.EscapeDataString(signature));
        return token.ToString();
    }

    /// <summary>
    /// A SAS token for the account a connection string points at: the string's own token for the SAS form, a new
    /// full-permission one valid until <paramref name="expiresOn"/> for the key form. Entra ID strings have none.
    /// </summary>
    public static string ForConnectionString(string connectionString, DateTimeOffset expiresOn)
    {
        var settings = StorageConnectionString.Parse(connectionString);
        return settings.AuthMode switch
        {
            StorageAuthMode.SharedAccessSignature => settings.SasToken!,
            StorageAuthMode.SharedKey => Create(connectionString, expiresOn),
            _ => throw new StorageConfigurationException(
                "This connection string uses Entra ID (AccountName only): there is no key to sign a SAS with, and no SAS in it."),
        };
    }

    /// <summary>A connection string that carries <paramref name="sasToken"/> instead of the key, with the same endpoints.</summary>
    public static string ToConnectionString(string connectionString, string sasToken)
    {
        var settings = StorageConnectionString.Parse(connectionString);
        return $"BlobEndpoint={settings.BlobEndpoint};QueueEndpoint={settings.QueueEndpoint};SharedAccessSignature={sasToken}";
    }

    private static string Letters(AccountSasPermissions permissions)
    {
        // The service wants the letters in this order.
        var letters = new StringBuilder();
        foreach (var (flag, letter) in new[]
                 {
                     (AccountSasPermissions.Read, 'r'), (AccountSasPermissions.Write, 'w'), (AccountSasPermissions.Delete, 'd'),
                     (AccountSasPermissions.List, 'l'), (AccountSasPermissions.Add, 'a'), (AccountSasPermissions.Create, 'c'),
                     (AccountSasPermissions.Update, 'u'), (AccountSasPermissions.Process, 'p'),
                 })
        {
            if (permissions.HasFlag(flag))
            {
                letters.Append(letter);
            }
        }

        return letters.ToString();
    }

    private static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
