using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// Checks a presented API key against the configured ones in constant time. Keys are compared as SHA-256
/// digests with <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the content nor the length of
/// a configured key leaks through timing, and every configured key is compared on every call.
/// </summary>
public sealed class ApiKeyValidator
{
    private readonly byte[][] _digests;

    /// <summary>Creates a validator for <paramref name="keys"/> (blank entries are ignored).</summary>
    public ApiKeyValidator(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _digests = keys
            .Select(k => k.Trim())
            .Where(k => k.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Select(Digest)
            .ToArray();
    }

    /// <summary>How many distinct keys are configured.</summary>
    public int Count => _digests.Length;

    /// <summary>True when <paramref name="presented"/> equals one of the configured keys.</summary>
    public bool IsValid(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || _digests.Length == 0)
        {
            return false;
        }

        var digest = Digest(presented.Trim());
        var match = false;
        foreach (var expected in _digests)
        {
            // No early exit: the time taken does not depend on which key matched.
            match |= CryptographicOperations.FixedTimeEquals(digest, expected);
        }

        return match;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
