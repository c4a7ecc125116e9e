using System.Text;
using System.Text.Json;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>Turns a <see cref="JsonException"/> into a manuscript error with a 1-based line and character column.</summary>
internal static class JsonPosition
{
    /// <param name="json">The JSON text that failed.</param>
    /// <param name="source">Names it in the error.</param>
    /// <param name="exception">The parser's exception (0-based line, byte position in line).</param>
    /// <param name="lineOffset">Added to the line (a JSONL line's number minus one).</param>
    public static ManuscriptError Describe(string json, string source, JsonException exception, int lineOffset = 0)
    {
        var line = (int)(exception.LineNumber ?? 0);
        var bytePosition = (int)(exception.BytePositionInLine ?? 0);
        var column = CharacterColumn(json, line, bytePosition);
        return new ManuscriptError(source, $"malformed JSON: {Reason(exception)}", line + 1 + lineOffset, column);
    }

    /// <summary>The parser's message without its own position suffix, which counts bytes from zero.</summary>
    private static string Reason(JsonException exception)
    {
        var message = exception.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        }

        message = cut >= 0 ? message[..cut] : message;
        return message.TrimEnd(' ', '|');
    }

    private static int CharacterColumn(string json, int line, int bytePosition)
    {
        var start = 0;
        for (var i = 0; i < line; i++)
        {
            var next = json.IndexOf('\n', start);
            if (next < 0)
            {
                return bytePosition + 1;
            }

            start = next + 1;
        }

        var bytes = 0;
        var column = 1;
        for (var i = start; i < json.Length && json[i] != '\n' && bytes < bytePosition; i++)
        {
            if (char.IsHighSurrogate(json[i]) && i + 1 < json.Length)
            {
                bytes += 4;
                i++;
            }
            else
            {
                bytes += Encoding.UTF8.GetByteCount(json.AsSpan(i, 1));
            }

            column++;
        }

        return column;
    }
}
