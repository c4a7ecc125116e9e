namespace MiniGpt5.Text.PythonCompat;

/// <summary>
/// Python's notions of whitespace, which the reference tokenizers rely on and .NET's do not match exactly.
/// </summary>
public static class PythonWhitespace
{
    /// <summary>
    /// <c>str.isspace()</c> (used by <c>strip</c>/<c>lstrip</c>/<c>rstrip</c>/<c>split</c>): bidirectional class
    /// WS, B or S, or category Zs. Unlike <see cref="char.IsWhiteSpace(char)"/> it includes U+001C..U+001F.
    /// All such characters are in the BMP.
    /// </summary>
    public static bool IsSpace(char c) => c switch
    {
        >= '\t' and <= '\r' => true,
        >= '\u001C' and <= ' ' => true,
        '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    /// <summary>
    /// The <c>regex</c> module's <c>\s</c> for str patterns: the Unicode White_Space property (no U+001C..U+001F).
    /// </summary>
    public static bool IsRegexSpace(int codePoint) => codePoint switch
    {
        >= '\t' and <= '\r' => true,
        ' ' or 0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary><c>str.strip()</c>.</summary>
    public static ReadOnlySpan<char> Strip(ReadOnlySpan<char> s) => StripEnd(StripStart(s));

    /// <summary><c>str.lstrip()</c>.</summary>
    public static ReadOnlySpan<char> StripStart(ReadOnlySpan<char> s)
    {
        var i = 0;
        while (i < s.Length && IsSpace(s[i]))
        {
            i++;
        }

        return s[i..];
    }

    /// <summary><c>str.rstrip()</c>.</summary>
    public static ReadOnlySpan<char> StripEnd(ReadOnlySpan<char> s)
    {
        var end = s.Length;
        while (end > 0 && IsSpace(s[end - 1]))
        {
            end--;
        }

        return s[..end];
    }
}
