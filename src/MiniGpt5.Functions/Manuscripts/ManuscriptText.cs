using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Turns raw manuscript bytes into the text every parser works on, refusing what is not a text manuscript:
/// empty input, binary data (NUL bytes), UTF-16, invalid UTF-8 and input over the size limit. The text that
/// comes out has no BOM, only <c>\n</c> line ends, and no control characters besides tab and newline.
/// </summary>
internal static class ManuscriptText
{
    /// <summary>Checks and decodes <paramref name="bytes"/>; <paramref name="source"/> names it in errors.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string source, long maxBytes)
    {
        if (bytes.Length > maxBytes)
        {
            throw Fail(source, $"is {FormatSize(bytes.Length)}, over the {FormatSize(maxBytes)} limit for one manuscript.");
        }

        if (bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)))
        {
            throw Fail(source, "is UTF-16 encoded (it starts with a UTF-16 byte-order mark); save it as UTF-8.");
        }

        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            var (line, column) = LineAndColumn(bytes, nul);
            throw new ManuscriptException(new ManuscriptError(source,
                $"contains a NUL byte (at byte offset {nul}), so it is binary data, not a text manuscript.", line, column));
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        var chars = ArrayPool<char>.Shared.Rent(Math.Max(1, bytes.Length));
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                var (line, column) = LineAndColumn(bytes, read);
                var bad = Convert.ToHexString(bytes.Slice(read, Math.Min(4, bytes.Length - read)));
                throw new ManuscriptException(new ManuscriptError(source,
                    $"is not valid UTF-8 (bytes {bad} at byte offset {read}); save it as UTF-8.", line, column));
            }

            var text = Normalize(chars.AsSpan(0, written));
            if (string.IsNullOrWhiteSpace(text))
            {
                throw Fail(source, bytes.Length == 0 ? "is empty." : "is empty (it holds only whitespace).");
            }

            return text;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// Line ends to <c>\n</c>; other control characters (form feed, escape...) and unpaired surrogates, which
    /// XML and the model's tokenizer cannot take, to a space or U+FFFD. Also used on strings from JSON.
    /// </summary>
    public static string Normalize(ReadOnlySpan<char> text)
    {
        var output = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r')
            {
                output.Append('\n');
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
            }
            else if (c is '\n' or '\t')
            {
                output.Append(c);
            }
            else if (char.IsControl(c))
            {
                output.Append(' ');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                output.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                output.Append('\uFFFD');
            }
            else
            {
                output.Append(c);
            }
        }

        return output.ToString();
    }

    /// <summary>Collapses runs of whitespace (newlines included) to one space and trims the ends.</summary>
    public static string CollapseWhitespace(string text)
    {
        var output = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = output.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                output.Append(' ');
                pendingSpace = false;
            }

            output.Append(c);
        }

        return output.ToString();
    }

    /// <summary>Sizes for messages: bytes below 1 KiB, else KiB or MiB with one decimal.</summary>
    public static string FormatSize(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB ({bytes} bytes)"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#} MiB ({bytes} bytes)"),
    };

    private static (int Line, int Column) LineAndColumn(ReadOnlySpan<byte> bytes, int offset)
    {
        var before = bytes[..offset];
        var line = before.Count((byte)'\n') + 1;
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        // Columns count characters, so count the UTF-8 lead bytes between the line start and the offset.
        var column = 1;
        foreach (var b in before[lineStart..])
        {
            if ((b & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return (line, column);
    }

    private static ManuscriptException Fail(string source, string message) => new(new ManuscriptError(source, message));
}
