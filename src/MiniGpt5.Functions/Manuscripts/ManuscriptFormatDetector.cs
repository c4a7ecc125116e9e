using System.Text.Json;
using System.Text.RegularExpressions;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Decides a manuscript's format: by extension first (<c>.md .markdown</c>, <c>.txt .text</c>, <c>.json</c>,
/// <c>.jsonl .ndjson</c>), else by content: JSON when it starts with <c>{</c> (JSON Lines when its first line is
/// a complete JSON value and more lines follow), Markdown when it has front matter, an ATX heading, a setext
/// heading or a thematic break, else plain text.
/// </summary>
public static partial class ManuscriptFormatDetector
{
    /// <summary>The format the file name says, or null when the extension is not one we know.</summary>
    public static ManuscriptFormat? FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".md" or ".markdown" or ".mdown" or ".mkd" => ManuscriptFormat.Markdown,
            ".txt" or ".text" => ManuscriptFormat.PlainText,
            ".json" => ManuscriptFormat.StoryJson,
            ".jsonl" or ".ndjson" or ".jsonlines" => ManuscriptFormat.JsonLines,
            _ => null,
        };
    }

    /// <summary>The format the text looks like (normalised text: <c>\n</c> line ends, no BOM).</summary>
    public static ManuscriptFormat FromContent(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            var firstLineEnd = trimmed.IndexOf('\n', StringComparison.Ordinal);
            if (firstLineEnd > 0 && trimmed[(firstLineEnd + 1)..].Trim().Length > 0 && IsCompleteJson(trimmed[..firstLineEnd]))
            {
                return ManuscriptFormat.JsonLines;
            }

            return ManuscriptFormat.StoryJson;
        }

        return MarkdownSignal().IsMatch(text) ? ManuscriptFormat.Markdown : ManuscriptFormat.PlainText;
    }

    private static bool IsCompleteJson(string line)
    {
        try
        {
            using var _ = JsonDocument.Parse(line);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\A---[ \t]*\n|^ {0,3}#{1,6}[ \t]+\S|^[^\n]+\n {0,3}(?:=+|-+)[ \t]*$|^ {0,3}(?:\*[ \t]*){3,}$|^ {0,3}(?:-[ \t]*){3,}$",
        RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex MarkdownSignal();
}
