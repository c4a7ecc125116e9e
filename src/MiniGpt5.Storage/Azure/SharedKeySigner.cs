using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Storage.Azure;

/// <summary>
/// Shared Key authorization for the Blob and Queue services
/// (learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key):
/// <c>Authorization: SharedKey account:Base64(HMAC-SHA256(key, StringToSign))</c> with
/// <code>
/// VERB \n Content-Encoding \n Content-Language \n Content-Length (empty when 0) \n Content-MD5 \n Content-Type \n
/// Date (empty: we send x-ms-date) \n If-Modified-Since \n If-Match \n If-None-Match \n If-Unmodified-Since \n Range \n
/// CanonicalizedHeaders (x-ms-*: lowercase name, sorted, "name:value\n") + CanonicalizedResource
/// </code>
/// CanonicalizedResource is "/" + account + the encoded URI path, then "\nname:value" for each query parameter
/// (lowercased names, sorted, values URL-decoded). With Azurite's IP-style URLs the path already begins with the
/// account, so it appears twice (<c>/devstoreaccount1/devstoreaccount1/container/blob</c>): that is what both
/// Azurite and the spec compute, so no special case is needed.
/// </summary>
internal sealed class SharedKeySigner
{
    private readonly byte[] _key;

    public SharedKeySigner(string accountName, byte[] key)
    {
        AccountName = accountName;
        _key = key;
    }

    public string AccountName { get; }

    /// <summary>The Authorization header value for a request described by its parts.</summary>
    public string Sign(
        string method,
        Uri uri,
        long contentLength,
        Func<string, string?> header,
        IEnumerable<KeyValuePair<string, string>> allHeaders) =>
        $"SharedKey {AccountName}:{Signature(StringToSign(method, uri, contentLength, header, allHeaders))}";

    /// <summary>Base64 HMAC-SHA256 of <paramref name="stringToSign"/> with the account key (also used for SAS).</summary>
    public string Signature(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));

    public string StringToSign(
        string method,
        Uri uri,
        long contentLength,
        Func<string, string?> header,
        IEnumerable<KeyValuePair<string, string>> allHeaders)
    {
        var builder = new StringBuilder(256);
        builder.Append(method.ToUpperInvariant()).Append('\n');
        builder.Append(header("Content-Encoding")).Append('\n');
        builder.Append(header("Content-Language")).Append('\n');
        builder.Append(contentLength > 0 ? contentLength.ToString(CultureInfo.InvariantCulture) : string.Empty).Append('\n');
        builder.Append(header("Content-MD5")).Append('\n');
        builder.Append(header("Content-Type")).Append('\n');
        builder.Append('\n'); // Date: x-ms-date is used instead.
        builder.Append(header("If-Modified-Since")).Append('\n');
        builder.Append(header("If-Match")).Append('\n');
        builder.Append(header("If-None-Match")).Append('\n');
        builder.Append(header("If-Unmodified-Since")).Append('\n');
        builder.Append(header("Range")).Append('\n');

        var msHeaders = allHeaders
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), h.Value))
            .OrderBy(h => h.Name, ServiceHeaderOrder.Instance);
        foreach (var (name, value) in msHeaders)
        {
            builder.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }

        builder.Append('/').Append(AccountName).Append(uri.AbsolutePath);
        var query = ParseQuery(uri.Query);
        foreach (var (name, values) in query.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            values.Sort(StringComparer.Ordinal);
            builder.Append('\n').Append(name).Append(':').Append(string.Join(',', values));
        }

        return builder.ToString();
    }

    private static Dictionary<string, List<string>> ParseQuery(string query)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var name = Uri.UnescapeDataString(parts[0]).ToLowerInvariant();
            var value = parts.Length > 1 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : string.Empty;
            if (!result.TryGetValue(name, out var values))
            {
                result[name] = values = [];
            }

            values.Add(value);
        }

        return result;
    }

    /// <summary>
    /// The service sorts canonicalized headers the way .NET's culture-aware (en-US) comparison does, not
    /// ordinally: '-' is ignored at the first level and '_' sorts before digits, digits before letters
    /// (Azurite's localeCompare agrees for the headers we send). Ordinal order would differ for metadata names
    /// such as "a_1" and "a1", and the signature would fail.
    /// </summary>
    private sealed class ServiceHeaderOrder : IComparer<string>
    {
        public static readonly ServiceHeaderOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            int i = 0, j = 0;
            while (true)
            {
                while (i < x.Length && x[i] == '-')
                {
                    i++;
                }

                while (j < y.Length && y[j] == '-')
                {
                    j++;
                }

                if (i == x.Length || j == y.Length)
                {
                    var byLength = (x.Length - i).CompareTo(y.Length - j);
                    return byLength != 0 ? byLength : string.CompareOrdinal(x, y);
                }

                var byWeight = Weight(x[i]).CompareTo(Weight(y[j]));
                if (byWeight != 0)
                {
                    return byWeight;
                }

                i++;
                j++;
            }
        }

        private static int Weight(char c) => c switch
        {
            '_' => 1,
            >= '0' and <= '9' => 10 + (c - '0'),
            >= 'a' and <= 'z' => 100 + (c - 'a'),
            _ => 1000 + c,
        };
    }
}
