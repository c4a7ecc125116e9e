using System.Globalization;
using System.Text.Json;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// JSON manuscripts, in three shapes:
/// <list type="bullet">
/// <item>VIST story maps <c>{story_id: [{"caption", "image_id", "sequence_index"}, ...]}</c> (MiniGPT-5's
/// <c>val_cleaned.json</c>): one manuscript per story, steps ordered by <c>sequence_index</c>, titled
/// "Story {id}"; other keys of a step object (VIST has many) are ignored. A bad story fails alone.</item>
/// <item>The simple shape <c>{"title", "author"?, "language"?, "options"?: {...}, "steps": ["text" | {"text"}...]}</c>,
/// or with <c>"chapters": [{"title", "steps": [...]}]</c> instead of <c>steps</c>.</item>
/// <item>A wrapped text manuscript <c>{"format": "markdown"|"text", "text": "...", "name"?, "title"?, "options"?}</c>
/// (mostly for JSONL lines); with no <c>format</c> the text's format is detected.</item>
/// </list>
/// Metadata (<c>title</c>, <c>author</c>...) may sit at the top level; options go in <c>options</c>.
/// </summary>
internal static class StoryJsonManuscriptParser
{
    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
        AllowDuplicateProperties = false,
    };

    private static readonly string[] ShapeKeys = ["steps", "chapters", "text", "format", "name", "options"];

    /// <summary>Parses a whole JSON file; one result per manuscript in it.</summary>
    public static List<ManuscriptReadResult> ParseDocument(string json, ManuscriptOrigin origin, ManuscriptReader reader)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new ManuscriptException(JsonPosition.Describe(json, origin.Source, e), e);
        }

        using (document)
        {
            return ParseRoot(document.RootElement, origin, reader, keyPrefix: null);
        }
    }

    /// <summary>Parses a root value (of a file or a JSONL line) that must be an object.</summary>
    public static List<ManuscriptReadResult> ParseRoot(JsonElement root, ManuscriptOrigin origin, ManuscriptReader reader, string? keyPrefix)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ManuscriptException(new ManuscriptError(origin.Source,
                $"expected a JSON object (a story map or {{\"title\", \"steps\"}}), got {Kind(root)}.", Path: "$"));
        }

        var properties = root.EnumerateObject().ToList();
        if (properties.Count == 0)
        {
            throw new ManuscriptException(new ManuscriptError(origin.Source, "the JSON object is empty; there is nothing to illustrate.", Path: "$"));
        }

        if (properties.Any(p => p.NameEquals("steps") || p.NameEquals("chapters") || p.NameEquals("text")))
        {
            return [ManuscriptReadResult.Ok(reader.Checked(ParseSimple(root, origin, reader)))];
        }

        if (properties.All(p => p.Value.ValueKind == JsonValueKind.Array))
        {
            return ParseVist(properties, origin, reader, keyPrefix);
        }

        throw new ManuscriptException(new ManuscriptError(origin.Source,
            "the JSON object is neither a story map {story_id: [{\"caption\", \"image_id\", \"sequence_index\"}, ...]} "
            + "nor a manuscript {\"title\": ..., \"steps\": [...]} (or \"chapters\", or \"format\" + \"text\").", Path: "$"));
    }

    private static List<ManuscriptReadResult> ParseVist(List<JsonProperty> stories, ManuscriptOrigin origin, ManuscriptReader reader, string? keyPrefix)
    {
        var results = new List<ManuscriptReadResult>();
        foreach (var story in stories)
        {
            var itemKey = (keyPrefix is null ? string.Empty : keyPrefix + "-") + "story-" + story.Name;
            var storyOrigin = origin.ForItem($"{origin.Source}, story {story.Name}", itemKey);
            try
            {
                results.Add(ManuscriptReadResult.Ok(reader.Checked(ParseVistStory(story, storyOrigin))));
            }
            catch (ManuscriptException e)
            {
                results.Add(ManuscriptReadResult.Failed(e.Error, itemKey));
            }
        }

        return results;
    }

    private static Manuscript ParseVistStory(JsonProperty story, ManuscriptOrigin origin)
    {
        var path = $"$['{story.Name}']";
        var entries = new List<(long Index, ManuscriptStep Step, string Path)>();
        var i = 0;
        foreach (var element in story.Value.EnumerateArray())
        {
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]");
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error(origin, $"a story step must be an object with \"caption\" and \"sequence_index\", got {Kind(element)}.", itemPath);
            }

            var caption = RequiredText(element, "caption", origin, itemPath);
            if (!element.TryGetProperty("sequence_index", out var indexElement))
            {
                throw Error(origin, "the step has no \"sequence_index\".", itemPath);
            }

            long index;
            if (indexElement.ValueKind == JsonValueKind.Number && indexElement.TryGetInt64(out var number))
            {
                index = number;
            }
            else if (indexElement.ValueKind == JsonValueKind.String
                && long.TryParse(indexElement.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                index = parsed;
            }
            else
            {
                throw Error(origin, $"\"sequence_index\" must be a whole number, got {indexElement.GetRawText()}.", itemPath + ".sequence_index");
            }

            if (entries.FirstOrDefault(e => e.Index == index) is { Path: not null } duplicate)
            {
                throw Error(origin, string.Create(CultureInfo.InvariantCulture,
                    $"sequence_index {index} appears twice (also at {duplicate.Path})."), itemPath + ".sequence_index");
            }

            entries.Add((index, PlainStep(caption), itemPath));
        }

        if (entries.Count == 0)
        {
            throw Error(origin, "the story has no steps.", path);
        }

        var steps = entries.OrderBy(e => e.Index).Select(e => e.Step).ToList();
        return new Manuscript(origin.Source, origin.SourceName, origin.ItemKey, ManuscriptFormat.StoryJson,
            $"Story {story.Name}", null, null, null, new ManuscriptOptions(), [new ManuscriptChapter(null, 0, steps)], []);
    }

    private static Manuscript ParseSimple(JsonElement root, ManuscriptOrigin origin, ManuscriptReader reader)
    {
        var inputs = new List<SettingInput>(ManuscriptSettingsBinder.FromJson(root, "$", origin.Source, ShapeKeys));
        if (root.TryGetProperty("options", out var options))
        {
            if (options.ValueKind != JsonValueKind.Object)
            {
                throw Error(origin, $"\"options\" must be an object, got {Kind(options)}.", "$.options");
            }

            inputs.AddRange(ManuscriptSettingsBinder.FromJson(options, "$.options", origin.Source));
        }

        var hasSteps = root.TryGetProperty("steps", out var stepsElement);
        var hasChapters = root.TryGetProperty("chapters", out var chaptersElement);
        var hasText = root.TryGetProperty("text", out var textElement);
        if ((hasSteps ? 1 : 0) + (hasChapters ? 1 : 0) + (hasText ? 1 : 0) > 1)
        {
            throw Error(origin, "give only one of \"steps\", \"chapters\" and \"text\".", "$");
        }

        var name = OptionalText(root, "name", origin, "$");
        if (name is not null)
        {
            origin = origin with { DefaultTitle = ManuscriptOrigin.TitleFromName(name) };
        }

        if (hasText)
        {
            return ParseWrappedText(root, textElement, origin, reader, inputs, name);
        }

        if (root.TryGetProperty("format", out _))
        {
            throw Error(origin, "\"format\" goes with \"text\"; a manuscript with \"steps\" or \"chapters\" needs no format.", "$.format");
        }

        var settings = ManuscriptSettingsBinder.Bind(inputs, origin.Source);
        var warnings = new List<string>();
        var chapters = new List<ManuscriptChapter>();
        if (hasSteps)
        {
            var steps = ReadSteps(stepsElement, origin, "$.steps");
            if (steps.Count > 0)
            {
                chapters.Add(new ManuscriptChapter(null, 0, steps));
            }
        }
        else
        {
            if (chaptersElement.ValueKind != JsonValueKind.Array)
            {
                throw Error(origin, $"\"chapters\" must be a list, got {Kind(chaptersElement)}.", "$.chapters");
            }

            var index = 0;
            foreach (var chapter in chaptersElement.EnumerateArray())
            {
                var chapterPath = string.Create(CultureInfo.InvariantCulture, $"$.chapters[{index++}]");
                if (chapter.ValueKind != JsonValueKind.Object)
                {
                    throw Error(origin, $"a chapter must be an object with \"title\" and \"steps\", got {Kind(chapter)}.", chapterPath);
                }

                foreach (var property in chapter.EnumerateObject())
                {
                    if (!property.NameEquals("title") && !property.NameEquals("steps"))
                    {
                        throw Error(origin, $"unknown chapter key \"{property.Name}\"; a chapter has \"title\" and \"steps\".", $"{chapterPath}.{property.Name}");
                    }
                }

                var title = OptionalText(chapter, "title", origin, chapterPath);
                if (!chapter.TryGetProperty("steps", out var chapterSteps))
                {
                    throw Error(origin, "the chapter has no \"steps\".", chapterPath);
                }

                var steps = ReadSteps(chapterSteps, origin, chapterPath + ".steps");
                if (steps.Count > 0)
                {
                    chapters.Add(new ManuscriptChapter(title, 0, steps));
                }
                else
                {
                    warnings.Add($"{chapterPath} ('{title ?? "untitled"}') has no steps; it was left out.");
                }
            }
        }

        return new Manuscript(origin.Source, origin.SourceName, origin.ItemKey, ManuscriptFormat.StoryJson,
            settings.Title ?? origin.DefaultTitle, settings.Author, settings.Language, settings.Description,
            settings.Options, chapters, warnings);
    }

    private static Manuscript ParseWrappedText(JsonElement root, JsonElement textElement, ManuscriptOrigin origin, ManuscriptReader reader,
        List<SettingInput> inputs, string? name)
    {
        if (textElement.ValueKind != JsonValueKind.String)
        {
            throw Error(origin, $"\"text\" must be a string, got {Kind(textElement)}.", "$.text");
        }

        ManuscriptFormat? format = null;
        if (root.TryGetProperty("format", out var formatElement))
        {
            var formatName = formatElement.ValueKind == JsonValueKind.String ? formatElement.GetString() : null;
            format = formatName?.Trim().ToLowerInvariant() switch
            {
                "markdown" or "md" => ManuscriptFormat.Markdown,
                "text" or "txt" or "plain" or "plaintext" => ManuscriptFormat.PlainText,
                _ => throw Error(origin, $"\"format\" must be \"markdown\" or \"text\", got {formatElement.GetRawText()}.", "$.format"),
            };
        }

        var text = ManuscriptText.Normalize(textElement.GetString()!);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Error(origin, "\"text\" is empty.", "$.text");
        }

        format ??= name is not null ? ManuscriptFormatDetector.FromName(name) : null;
        format ??= ManuscriptFormatDetector.FromContent(text);
        if (format is not (ManuscriptFormat.Markdown or ManuscriptFormat.PlainText))
        {
            throw Error(origin, "\"text\" holds JSON; put the story object itself on the line instead of wrapping it in \"text\".", "$.text");
        }

        try
        {
            return reader.ParseText(text, format.Value, origin, inputs);
        }
        catch (ManuscriptException e) when (e.Error.Line is not null && e.Error.Source == origin.Source)
        {
            // Lines and columns count inside the "text" string, not the file: say so.
            throw new ManuscriptException(e.Error with { Source = $"{origin.Source} (\"text\")" }, e);
        }
    }

    private static List<ManuscriptStep> ReadSteps(JsonElement steps, ManuscriptOrigin origin, string path)
    {
        if (steps.ValueKind != JsonValueKind.Array)
        {
            throw Error(origin, $"\"steps\" must be a list of strings or {{\"text\": ...}} objects, got {Kind(steps)}.", path);
        }

        var result = new List<ManuscriptStep>();
        var i = 0;
        foreach (var step in steps.EnumerateArray())
        {
            var stepPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]");
            var text = step.ValueKind switch
            {
                JsonValueKind.String => step.GetString()!,
                JsonValueKind.Object when step.TryGetProperty("text", out _) => RequiredText(step, "text", origin, stepPath),
                JsonValueKind.Object => RequiredText(step, "caption", origin, stepPath),
                _ => throw Error(origin, $"a step must be a string or an object with \"text\", got {Kind(step)}.", stepPath),
            };
            text = ManuscriptText.Normalize(text);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw Error(origin, "the step's text is empty.", stepPath);
            }

            result.Add(PlainStep(text));
        }

        return result;
    }

    private static ManuscriptStep PlainStep(string text)
    {
        var normalized = ManuscriptText.Normalize(text).Trim();
        return new ManuscriptStep(ManuscriptText.CollapseWhitespace(normalized),
            [new StepBlock(StepBlockKind.Paragraph, normalized, Markdown: false)], 0);
    }

    private static string RequiredText(JsonElement element, string key, ManuscriptOrigin origin, string path)
    {
        if (!element.TryGetProperty(key, out var value))
        {
            throw Error(origin, $"the step has no \"{key}\".", path);
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(origin, $"\"{key}\" must be a string, got {Kind(value)}.", $"{path}.{key}");
        }

        var text = value.GetString()!;
        return string.IsNullOrWhiteSpace(text) ? throw Error(origin, $"\"{key}\" is empty.", $"{path}.{key}") : text;
    }

    private static string? OptionalText(JsonElement element, string key, ManuscriptOrigin origin, string path)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? ManuscriptText.CollapseWhitespace(ManuscriptText.Normalize(value.GetString()!)) is { Length: > 0 } text ? text : null
            : throw Error(origin, $"\"{key}\" must be a string, got {Kind(value)}.", $"{path}.{key}");
    }

    internal static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString(),
    };

    private static ManuscriptException Error(ManuscriptOrigin origin, string message, string path) =>
        new(new ManuscriptError(origin.Source, message, Path: path));
}
