using System.Text.RegularExpressions;

namespace MiniGpt5.Deployment.Tests;

/// <summary>
/// What a secret looks like, for checks on Dockerfiles, Bicep defaults and parameter files: names that
/// announce one, and values shaped like account keys, SAS signatures, connection strings with keys,
/// private keys and bearer tokens.
/// </summary>
internal static partial class SecretPatterns
{
    /// <summary>True when a setting or parameter name says it holds a credential.</summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>A description of the secret-shaped part of <paramref name="value"/>, or null.</summary>
    public static string? FindSecretValue(string value)
    {
        if (AccountKeySetting().IsMatch(value))
        {
            return "a connection string with AccountKey=";
        }

        if (SasSignature().IsMatch(value))
        {
            return "a SAS signature (sig=...)";
        }

        if (value.Contains("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase)
            || value.Contains("SharedAccessKey=", StringComparison.OrdinalIgnoreCase))
        {
            return "a shared access signature or key";
        }

        if (value.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return "a PEM private key or certificate";
        }

        if (Jwt().IsMatch(value))
        {
            return "a JSON web token";
        }

        foreach (Match m in LongBase64().Matches(value))
        {
            // Hex digests (image digests, SHA-256 pins) are fine; keys mix cases, digits and often + / =.
            var token = m.Value;
            if (!HexOnly().IsMatch(token) && token.Any(char.IsUpper) && token.Any(char.IsLower) && token.Any(char.IsDigit))
            {
                return $"a long base64 string ({token[..8]}...)";
            }
        }

        return null;
    }

    [GeneratedRegex(@"(?i)(password|passwd|pwd$|secret|token|api[_-]?keys?|access[_-]?key|account[_-]?key|private[_-]?key|connection[_-]?string|credential|(^|_)sas($|_))")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?i)AccountKey\s*=\s*[^;\s]+")]
    private static partial Regex AccountKeySetting();

    [GeneratedRegex(@"(?i)[?&]sig=[A-Za-z0-9%+/=]{16,}")]
    private static partial Regex SasSignature();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"[A-Za-z0-9+/]{40,}={0,2}")]
    private static partial Regex LongBase64();

    [GeneratedRegex("^[0-9a-fA-F]+$")]
    private static partial Regex HexOnly();
}
