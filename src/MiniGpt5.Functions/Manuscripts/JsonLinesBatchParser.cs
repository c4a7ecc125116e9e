using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// JSON Lines batches: one manuscript per non-blank line, either a JSON object in one of the
/// <see cref="StoryJsonManuscriptParser"/> shapes (a VIST story map on one line gives one manuscript per story)
/// or a JSON string holding a Markdown or plain-text manuscript (format detected from the content). Each line
/// succeeds or fails on its own; errors name the file and line, and the column for malformed JSON. Item keys
/// are <c>line-N</c> (N = 1-based line number), so re-reading the same file gives the same keys.
/// </summary>
internal static class JsonLinesBatchParser
{
    public static List<ManuscriptReadResult> Parse(string text, ManuscriptOrigin origin, ManuscriptReader reader)
    {
        var results = new List<ManuscriptReadResult>();
        var lines = text.Split('\n');
        var limit = reader.Settings.MaxManuscriptsPerBatch;
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var lineNumber = index + 1;
            var itemKey = string.Create(CultureInfo.InvariantCulture, $"line-{lineNumber}");
            var lineOrigin = origin.ForItem(string.Create(CultureInfo.InvariantCulture, $"{origin.Source}, line {lineNumber}"), itemKey);
            if (results.Count >= limit)
            {
                results.Add(ManuscriptReadResult.Failed(new ManuscriptError(lineOrigin.Source,
                    $"the batch already holds {limit} manuscripts, the most one file may hold; split the file."), itemKey));
                continue;
            }

            try
            {
                results.AddRange(ParseLine(line, lineNumber, lineOrigin, reader, itemKey));
            }
            catch (ManuscriptException e)
            {
                results.Add(ManuscriptReadResult.Failed(e.Error, itemKey));
            }
        }

        if (results.Count == 0)
        {
            throw new ManuscriptException(new ManuscriptError(origin.Source, "the batch has no lines with manuscripts."));
        }

        return results;
    }

    private static List<ManuscriptReadResult> ParseLine(string line, int lineNumber, ManuscriptOrigin origin, ManuscriptReader reader, string itemKey)
    {
        var bytes = Encoding.UTF8.GetByteCount(line);
        if (bytes > reader.Settings.MaxManuscriptBytes)
        {
            throw new ManuscriptException(new ManuscriptError(origin.Source,
                $"the line is {ManuscriptText.FormatSize(bytes)}, over the {ManuscriptText.FormatSize(reader.Settings.MaxManuscriptBytes)} limit for one manuscript.",
                lineNumber));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, StoryJsonManuscriptParser.DocumentOptions);
        }
        catch (JsonException e)
        {
            // Positions inside the line: the line is its own document, so its "line" is always the first.
            var error = JsonPosition.Describe(line, origin.Source, e);
            throw new ManuscriptException(error with { Line = lineNumber }, e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.String)
            {
                var text = ManuscriptText.Normalize(root.GetString()!);
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw new ManuscriptException(new ManuscriptError(origin.Source, "the manuscript text is empty.", lineNumber));
                }

                var format = ManuscriptFormatDetector.FromContent(text);
                if (format is not (ManuscriptFormat.Markdown or ManuscriptFormat.PlainText))
                {
                    throw new ManuscriptException(new ManuscriptError(origin.Source,
                        "the string holds JSON; put the story object itself on the line instead of quoting it.", lineNumber));
                }

                return [ManuscriptReadResult.Ok(reader.ParseText(text, format, origin, []))];
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ManuscriptException(new ManuscriptError(origin.Source,
                    $"each line must be a JSON object or a string, got {StoryJsonManuscriptParser.Kind(root)}.", lineNumber));
            }

            return StoryJsonManuscriptParser.ParseRoot(root, origin, reader, itemKey);
        }
    }
}
