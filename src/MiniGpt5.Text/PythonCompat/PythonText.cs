using System.Text;

namespace MiniGpt5.Text.PythonCompat;

/// <summary>
/// Python string operations the reference tokenizers depend on, reproduced exactly (Python 3.11 data):
/// <c>unicodedata.normalize("NFC")</c>, <c>str.lower()</c> and <c>html.unescape</c>.
/// </summary>
public static class PythonText
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    /// <summary>
    /// Code points of <paramref name="text"/>; an unpaired surrogate is its own code point, as in a Python str.
    /// </summary>
    public static List<int> CodePoints(ReadOnlySpan<char> text)
    {
        var result = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                result.Add(char.ConvertToUtf32(c, text[i + 1]));
                i++;
            }
            else
            {
                result.Add(c);
            }
        }

        return result;
    }

    /// <summary>Appends one code point (an unpaired surrogate as itself).</summary>
    public static void AppendCodePoint(StringBuilder builder, int codePoint)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (codePoint < 0x10000)
        {
            builder.Append((char)codePoint);
        }
        else
        {
            builder.Append(char.ConvertFromUtf32(codePoint));
        }
    }

    /// <summary><c>unicodedata.normalize("NFC", text)</c>: canonical decomposition, reordering, composition.</summary>
    public static string NormalizeNfc(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var quick = true;
        foreach (var c in text)
        {
            if (c >= '\u0300')
            {
                quick = false;
                break;
            }
        }

        if (quick)
        {
            return text; // nothing below U+0300 decomposes, combines or recomposes differently
        }

        var tables = PythonUnicodeTables.Instance;
        var decomposed = new List<int>(text.Length + 8);
        foreach (var cp in CodePoints(text))
        {
            Decompose(cp, decomposed, tables);
        }

        // Canonical ordering: stable sort of each run of non-starters by combining class.
        for (var i = 1; i < decomposed.Count; i++)
        {
            var ccc = Ccc(decomposed[i], tables);
            if (ccc == 0)
            {
                continue;
            }

            for (var j = i; j > 0 && Ccc(decomposed[j - 1], tables) > ccc; j--)
            {
                (decomposed[j - 1], decomposed[j]) = (decomposed[j], decomposed[j - 1]);
            }
        }

        // Canonical composition.
        var output = new List<int>(decomposed.Count);
        var starter = -1;
        var lastClass = 0;
        foreach (var cp in decomposed)
        {
            var ccc = Ccc(cp, tables);
            if (starter >= 0)
            {
                var adjacent = output.Count - 1 == starter;
                var blocked = !adjacent && (lastClass == 0 || lastClass >= ccc);
                if (!blocked && TryCompose(output[starter], cp, tables, out var composite))
                {
                    output[starter] = composite;
                    continue;
                }
            }

            if (ccc == 0)
            {
                starter = output.Count;
                lastClass = 0;
            }
            else
            {
                lastClass = ccc;
            }

            output.Add(cp);
        }

        var builder = new StringBuilder(output.Count);
        foreach (var cp in output)
        {
            AppendCodePoint(builder, cp);
        }

        return builder.ToString();
    }

    /// <summary><c>str.lower()</c>: full lower-case mapping (U+0130 becomes "i̇") and the final-sigma rule.</summary>
    public static string ToLower(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ascii = true;
        foreach (var c in text)
        {
            if (c >= 0x80)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            return text.ToLowerInvariant();
        }

        var tables = PythonUnicodeTables.Instance;
        var cps = CodePoints(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < cps.Count; i++)
        {
            var cp = cps[i];
            if (cp == 0x03A3)
            {
                builder.Append(IsFinalSigma(cps, i, tables) ? '\u03C2' : '\u03C3');
            }
            else if (tables.Lower.TryGetValue(cp, out var lower))
            {
                builder.Append(lower);
            }
            else
            {
                AppendCodePoint(builder, cp);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// <c>html.unescape</c>: named references of HTML5 (longest known prefix when the name runs on), decimal
    /// and hex references with Python's remapping of invalid numbers.
    /// </summary>
    public static string HtmlUnescape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('&', StringComparison.Ordinal))
        {
            return text;
        }

        var tables = PythonUnicodeTables.Instance;
        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '&' || !TryMatchCharRef(text, i + 1, out var end, out var reference))
            {
                builder.Append(text[i]);
                i++;
                continue;
            }

            builder.Append(ReplaceCharRef(reference, tables));
            i = end;
        }

        return builder.ToString();
    }

    // _charref = re.compile(r'&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)')
    private static bool TryMatchCharRef(string text, int start, out int end, out string reference)
    {
        end = start;
        reference = string.Empty;
        if (start >= text.Length)
        {
            return false;
        }

        if (text[start] == '#')
        {
            var p = start + 1;
            var digitsStart = p;
            while (p < text.Length && char.IsAsciiDigit(text[p]))
            {
                p++;
            }

            if (p == digitsStart && p < text.Length && (text[p] == 'x' || text[p] == 'X'))
            {
                p++;
                digitsStart = p;
                while (p < text.Length && char.IsAsciiHexDigit(text[p]))
                {
                    p++;
                }
            }

            if (p == digitsStart)
            {
                return false;
            }

            if (p < text.Length && text[p] == ';')
            {
                p++;
            }

            end = p;
            reference = text[start..p];
            return true;
        }

        var q = start;
        var count = 0;
        while (q < text.Length && count < 32 && text[q] is not ('\t' or '\n' or '\f' or ' ' or '<' or '&' or '#' or ';'))
        {
            q += char.IsHighSurrogate(text[q]) && q + 1 < text.Length && char.IsLowSurrogate(text[q + 1]) ? 2 : 1;
            count++;
        }

        if (count == 0)
        {
            return false;
        }

        if (q < text.Length && text[q] == ';')
        {
            q++;
        }

        end = q;
        reference = text[start..q];
        return true;
    }

    // html._replace_charref
    private static string ReplaceCharRef(string s, PythonUnicodeTables tables)
    {
        if (s[0] == '#')
        {
            var hex = s[1] is 'x' or 'X';
            var digits = s.AsSpan(hex ? 2 : 1).TrimEnd(';');
            long number = 0;
            foreach (var c in digits)
            {
                number = (number * (hex ? 16 : 10)) + (hex ? Convert.ToInt32(c.ToString(), 16) : c - '0');
                if (number > 0x10FFFF)
                {
                    number = 0x110000; // Python's int is unbounded; anything this large ends the same way
                }
            }

            var num = (int)number;
            if (tables.HtmlInvalidCharRefs.TryGetValue(num, out var remapped))
            {
                return remapped;
            }

            if (num is >= 0xD800 and <= 0xDFFF || num > 0x10FFFF)
            {
                return "\uFFFD";
            }

            return tables.HtmlInvalidCodePoints.Contains(num) ? string.Empty : char.ConvertFromUtf32(num);
        }

        if (tables.HtmlEntities.TryGetValue(s, out var value))
        {
            return value;
        }

        // "find the longest matching name (as defined by the standard)": prefixes of length len-1 down to 2.
        var cps = CodePoints(s);
        for (var x = cps.Count - 1; x > 1; x--)
        {
            var prefixLength = 0;
            for (var k = 0; k < x; k++)
            {
                prefixLength += cps[k] > 0xFFFF ? 2 : 1;
            }

            if (tables.HtmlEntities.TryGetValue(s[..prefixLength], out value))
            {
                return value + s[prefixLength..];
            }
        }

        return "&" + s;
    }

    private static void Decompose(int cp, List<int> output, PythonUnicodeTables tables)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            var index = cp - SBase;
            output.Add(LBase + (index / NCount));
            output.Add(VBase + (index % NCount / TCount));
            if (index % TCount != 0)
            {
                output.Add(TBase + (index % TCount));
            }

            return;
        }

        if (tables.Decomposition.TryGetValue(cp, out var parts))
        {
            foreach (var part in parts)
            {
                Decompose(part, output, tables);
            }

            return;
        }

        output.Add(cp);
    }

    private static bool TryCompose(int first, int second, PythonUnicodeTables tables, out int composite)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composite = SBase + (((first - LBase) * VCount) + (second - VBase)) * TCount;
            return true;
        }

        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composite = first + (second - TBase);
            return true;
        }

        return tables.Composition.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    private static int Ccc(int cp, PythonUnicodeTables tables) => tables.CombiningClass.TryGetValue(cp, out var ccc) ? ccc : 0;

    // Python's handle_capital_sigma: \p{cased}\p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased})
    private static bool IsFinalSigma(List<int> cps, int index, PythonUnicodeTables tables)
    {
        var j = index - 1;
        while (j >= 0 && PythonUnicodeTables.InRanges(tables.CaseIgnorable, cps[j]))
        {
            j--;
        }

        if (j < 0 || !PythonUnicodeTables.InRanges(tables.Cased, cps[j]))
        {
            return false;
        }

        j = index + 1;
        while (j < cps.Count && PythonUnicodeTables.InRanges(tables.CaseIgnorable, cps[j]))
        {
            j++;
        }

        return j == cps.Count || !PythonUnicodeTables.InRanges(tables.Cased, cps[j]);
    }
}
