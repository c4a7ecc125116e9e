using System.Globalization;
using MiniGpt5.Text.PythonCompat;

namespace MiniGpt5.Text.Clip;

/// <summary>
/// CLIP's pattern <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>
/// (re.IGNORECASE, the <c>regex</c> module), matched by hand: at each position the first alternative that
/// matches wins, whitespace between matches is skipped. Letters and numbers are Unicode general categories
/// L* and N* (.NET's tables); <c>\s</c> is the White_Space property.
/// </summary>
internal static class ClipPreTokenizer
{
    public const string StartOfText = "<|startoftext|>";
    public const string EndOfText = "<|endoftext|>";
    private static readonly string[] Literals = [StartOfText, EndOfText, "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    /// <summary>Appends the matches in <paramref name="text"/> as (start, length) spans.</summary>
    public static void Split(ReadOnlySpan<char> text, List<(int Start, int Length)> output)
    {
        var i = 0;
        while (i < text.Length)
        {
            var literal = MatchLiteral(text[i..]);
            if (literal > 0)
            {
                output.Add((i, literal));
                i += literal;
                continue;
            }

            var (cp, width) = CodePointAt(text, i);
            int end;
            if (IsLetter(cp))
            {
                end = i + width;
                while (end < text.Length && CodePointAt(text, end) is var (next, w) && IsLetter(next))
                {
                    end += w;
                }
            }
            else if (IsNumber(cp))
            {
                end = i + width;
            }
            else if (!PythonWhitespace.IsRegexSpace(cp))
            {
                end = i + width;
                while (end < text.Length && CodePointAt(text, end) is var (next, w)
                       && !(PythonWhitespace.IsRegexSpace(next) || IsLetter(next) || IsNumber(next)))
                {
                    end += w;
                }
            }
            else
            {
                i += width;
                continue;
            }

            output.Add((i, end - i));
            i = end;
        }
    }

    private static int MatchLiteral(ReadOnlySpan<char> text)
    {
        foreach (var literal in Literals)
        {
            if (text.StartsWith(literal, StringComparison.OrdinalIgnoreCase))
            {
                return literal.Length;
            }
        }

        return 0;
    }

    private static (int CodePoint, int Width) CodePointAt(ReadOnlySpan<char> text, int i) =>
        char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
            ? (char.ConvertToUtf32(text[i], text[i + 1]), 2)
            : (text[i], 1);

    internal static bool IsLetter(int cp) => CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;

    internal static bool IsNumber(int cp) => CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;
}
