using System.Globalization;
using System.Text;
using MiniGpt5.Text.PythonCompat;

namespace MiniGpt5.Text.Clip;

/// <summary>The two CLIP text cleanups of <see cref="ClipTextCleanup"/>.</summary>
internal static class ClipTextCleaner
{
    public static string Clean(string text, ClipTextCleanup cleanup) => cleanup switch
    {
        ClipTextCleanup.HuggingFaceBasic => HuggingFaceBasic(text),
        ClipTextCleanup.OpenAiClip => OpenAi(text),
        _ => throw new ArgumentOutOfRangeException(nameof(cleanup), cleanup, "Unknown CLIP text cleanup."),
    };

    // whitespace_clean(basic_clean(text)).lower() with basic_clean = html.unescape(html.unescape(text)).strip()
    private static string OpenAi(string text)
    {
        var unescaped = PythonText.HtmlUnescape(PythonText.HtmlUnescape(text));
        var stripped = PythonWhitespace.Strip(unescaped);
        var builder = new StringBuilder(stripped.Length);
        var previousSpace = false;
        foreach (var cp in PythonText.CodePoints(stripped))
        {
            if (PythonWhitespace.IsRegexSpace(cp))
            {
                if (!previousSpace)
                {
                    builder.Append(' ');
                }

                previousSpace = true;
            }
            else
            {
                PythonText.AppendCodePoint(builder, cp);
                previousSpace = false;
            }
        }

        return PythonText.ToLower(PythonWhitespace.Strip(builder.ToString()).ToString());
    }

    // " ".join(BasicTokenizer(strip_accents=False, do_split_on_punc=False).tokenize(text))
    private static string HuggingFaceBasic(string text)
    {
        var cleaned = new StringBuilder(text.Length + 8);
        foreach (var cp in PythonText.CodePoints(text))
        {
            if (cp == 0 || cp == 0xFFFD || IsControl(cp))
            {
                continue;
            }

            if (IsWhitespace(cp))
            {
                cleaned.Append(' ');
            }
            else if (IsCjk(cp))
            {
                cleaned.Append(' ');
                PythonText.AppendCodePoint(cleaned, cp);
                cleaned.Append(' ');
            }
            else
            {
                PythonText.AppendCodePoint(cleaned, cp);
            }
        }

        var normalized = PythonText.NormalizeNfc(cleaned.ToString());
        var words = new List<string>();
        var span = normalized.AsSpan();
        var i = 0;
        while (i < span.Length)
        {
            while (i < span.Length && PythonWhitespace.IsSpace(span[i]))
            {
                i++;
            }

            var start = i;
            while (i < span.Length && !PythonWhitespace.IsSpace(span[i]))
            {
                i++;
            }

            if (i > start)
            {
                words.Add(PythonText.ToLower(span[start..i].ToString()));
            }
        }

        return string.Join(' ', words);
    }

    // transformers' _is_whitespace: " ", \t, \n, \r, or category Zs.
    private static bool IsWhitespace(int cp) =>
        cp is ' ' or '\t' or '\n' or '\r' || CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.SpaceSeparator;

    // transformers' _is_control: category C* except \t, \n, \r (unassigned code points count as control).
    private static bool IsControl(int cp) =>
        cp is not ('\t' or '\n' or '\r') && CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    // BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks.
    private static bool IsCjk(int cp) => cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
        or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
        or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
