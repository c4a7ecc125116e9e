using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// The status page's session cookie, so a browser can open books (plain links, which cannot carry an
/// <c>x-api-key</c> header). The value is <c>{expiry unix seconds}.{HMAC-SHA256(api key, purpose + expiry)}</c>:
/// any replica holding the same keys accepts it, the key itself never leaves the server, and removing a key
/// ends the sessions made with it. Accepted for GET and HEAD only, so it cannot drive a state change.
/// </summary>
public sealed class ApiSessionCookie
{
    /// <summary>Cookie name.</summary>
    public const string Name = "minigpt5-session";

    /// <summary>How long a session lasts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private const string Purpose = "minigpt5/status-session/v1|";
    private readonly byte[][] _keys;
    private readonly TimeProvider _time;

    /// <summary>Creates the cookie codec for <paramref name="apiKeys"/>.</summary>
    public ApiSessionCookie(IEnumerable<string> apiKeys, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(apiKeys);
        _keys = apiKeys.Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal)
            .Select(k => Encoding.UTF8.GetBytes(k)).ToArray();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A new cookie value signed with <paramref name="apiKey"/> (a key the caller has just proved it holds).</summary>
    public string Issue(string apiKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        var expiry = _time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        var mac = Sign(Encoding.UTF8.GetBytes(apiKey.Trim()), expiry);
        return string.Create(CultureInfo.InvariantCulture, $"{expiry}.{Convert.ToHexStringLower(mac)}");
    }

    /// <summary>True when <paramref name="value"/> was issued with a configured key and has not expired.</summary>
    public bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || _keys.Length == 0)
        {
            return false;
        }

        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(value.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var expiry))
        {
            return false;
        }

        if (expiry < _time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(value.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        var match = false;
        foreach (var key in _keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, Sign(key, expiry));
        }

        return match;
    }

    private static byte[] Sign(byte[] key, long expiry) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Purpose + expiry.ToString(CultureInfo.InvariantCulture)));
}
