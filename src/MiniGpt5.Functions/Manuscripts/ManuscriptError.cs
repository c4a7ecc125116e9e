using System.Globalization;
using System.Text;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Why one manuscript could not be read: the source it came from, where in it (1-based line and column when
/// known, or a JSON path), and what is wrong. Serialisable, so it can travel through durable history.
/// </summary>
/// <param name="Source">The file or blob name, with the item inside it for batches (<c>batch.jsonl, line 3</c>).</param>
/// <param name="Message">What is wrong, in words a publisher can act on.</param>
/// <param name="Line">1-based line, when known.</param>
/// <param name="Column">1-based column in characters, when known.</param>
/// <param name="Path">A JSON path such as <c>$.steps[2]</c>, when the problem is inside a JSON value.</param>
public sealed record ManuscriptError(string Source, string Message, int? Line = null, int? Column = null, string? Path = null)
{
    /// <summary>One line: <c>source, line L, column C (at $.path): message</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Source);
        // A batch item's source already names its line ("batch.jsonl, line 3"); do not say it twice.
        var lineText = Line is { } number ? string.Create(CultureInfo.InvariantCulture, $", line {number}") : null;
        if (lineText is not null && !Source.EndsWith(lineText, StringComparison.Ordinal))
        {
            text.Append(lineText);
        }

        if (lineText is not null && Column is { } column)
        {
            text.Append(CultureInfo.InvariantCulture, $", column {column}");
        }

        if (Path is not null)
        {
            text.Append(" at ").Append(Path);
        }

        return text.Append(": ").Append(Message).ToString();
    }
}
