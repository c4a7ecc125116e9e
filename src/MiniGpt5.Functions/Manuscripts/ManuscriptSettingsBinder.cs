using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Reads metadata and options from front matter or a JSON object. Keys are matched ignoring case, '_' and '-'
/// (so <c>guidance_scale</c>, <c>guidanceScale</c> and <c>guidance-scale</c> are one key); each option has a few
/// aliases (see the Manuscripts README). Unknown keys are errors, because a misspelt option silently ignored
/// costs a publisher a whole GPU run; a short list of common metadata keys other tools write (date, tags...) is
/// accepted and not used.
/// </summary>
internal static partial class ManuscriptSettingsBinder
{
    private static readonly Dictionary<string, string> Canonical = BuildAliases();

    private static readonly HashSet<string> Ignored =
    [
        "date", "tags", "keywords", "subject", "publisher", "rights", "subtitle", "layout", "draft", "slug", "categories",
    ];

    /// <summary>Binds front-matter entries.</summary>
    public static ManuscriptSettings Bind(FrontMatter frontMatter, string source) =>
        Bind(frontMatter.Entries.Select(e => new SettingInput(e.Key, e.Value)), source);

    /// <summary>Turns the properties of a JSON object (except <paramref name="skip"/>) into inputs.</summary>
    public static IEnumerable<SettingInput> FromJson(JsonElement obj, string path, string source, params string[] skip)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (skip.Contains(property.Name, StringComparer.Ordinal))
            {
                continue;
            }

            var propertyPath = $"{path}.{property.Name}";
            yield return new SettingInput(property.Name, ToValue(property.Value, propertyPath, source, depth: 0), propertyPath);
        }
    }

    public static ManuscriptSettings Bind(IEnumerable<SettingInput> inputs, string source)
    {
        var options = new ManuscriptOptions();
        string? title = null, author = null, language = null, description = null;
        var setBy = new Dictionary<string, SettingInput>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var normalized = Normalize(input.Key);
            if (Ignored.Contains(normalized))
            {
                continue;
            }

            if (!Canonical.TryGetValue(normalized, out var name))
            {
                throw new ManuscriptException(input.ErrorAt(source,
                    $"unknown key '{input.Key}'. Known keys: {string.Join(", ", KnownKeys)}; also accepted and not used: {string.Join(", ", Ignored)}."));
            }

            if (setBy.TryGetValue(name, out var earlier))
            {
                throw new ManuscriptException(input.ErrorAt(source,
                    $"'{input.Key}' sets the same option as '{earlier.Key}'{Where(earlier)}; keep one of them."));
            }

            setBy[name] = input;
            switch (name)
            {
                case "title": title = Text(input, source, maxLength: 300); break;
                case "author": author = Text(input, source, maxLength: 300, allowList: true); break;
                case "description": description = Text(input, source, maxLength: 2000); break;
                case "language":
                    language = Text(input, source, maxLength: 35);
                    if (language is not null && !LanguageTag().IsMatch(language))
                    {
                        throw new ManuscriptException(input.ErrorAt(source,
                            $"language '{language}' is not a BCP 47 language tag such as 'en', 'fr' or 'pt-BR'."));
                    }

                    break;
                case "style": options = options with { Style = Text(input, source, ManuscriptOptions.MaxStyleLength) }; break;
                case "stepsPerChapter":
                    options = options with { MaxStepsPerChapter = (int?)Integer(input, source, 1, ManuscriptOptions.MaxStepsPerChapterLimit) };
                    break;
                case "seed": options = options with { Seed = (uint?)Integer(input, source, 0, uint.MaxValue) }; break;
                case "guidance": options = options with { GuidanceScale = Number(input, source, 0, 50) }; break;
                case "inferenceSteps": options = options with { InferenceSteps = (int?)Integer(input, source, 1, 1000) }; break;
                case "scheduler":
                    var scheduler = Text(input, source, maxLength: 40);
                    options = options with
                    {
                        Scheduler = scheduler is null ? null : ManuscriptOptions.CanonicalScheduler(scheduler)
                            ?? throw new ManuscriptException(input.ErrorAt(source,
                                $"sampler '{scheduler}' is not known; use one of {string.Join(", ", ManuscriptOptions.SchedulerNames)}.")),
                    };
                    break;
                case "imageSize":
                    var size = ImageSize(input, source);
                    options = options with { ImageWidth = size?.Width, ImageHeight = size?.Height };
                    break;
                case "width": options = options with { ImageWidth = ImageSide(input, source) }; break;
                case "height": options = options with { ImageHeight = ImageSide(input, source) }; break;
                case "formats": options = options with { Formats = Formats(input, source) }; break;
                case "review": options = options with { ReviewGate = Boolean(input, source) }; break;
                default: throw new InvalidOperationException($"No binding for option '{name}'.");
            }

        }

        if (setBy.TryGetValue("imageSize", out var sizeInput) && (setBy.ContainsKey("width") || setBy.ContainsKey("height")))
        {
            throw new ManuscriptException(sizeInput.ErrorAt(source, "give either 'image_size' or 'width'/'height', not both."));
        }

        return new ManuscriptSettings(options, title, author, language, description);
    }

    /// <summary>The documented spelling of each key, for the "unknown key" message.</summary>
    private static readonly string[] KnownKeys =
    [
        "title", "author", "language", "description", "style", "steps_per_chapter", "seed", "guidance_scale", "sampler",
        "inference_steps", "image_size", "width", "height", "formats", "review",
    ];

    private static Dictionary<string, string> BuildAliases()
    {
        var aliases = new (string Name, string[] Keys)[]
        {
            ("title", ["title"]),
            ("author", ["author", "authors", "creator"]),
            ("language", ["language", "lang"]),
            ("description", ["description", "summary"]),
            ("style", ["style", "styleprompt"]),
            ("stepsPerChapter", ["stepsperchapter", "maxstepsperchapter"]),
            ("seed", ["seed"]),
            ("guidance", ["guidance", "guidancescale", "cfg", "cfgscale"]),
            ("scheduler", ["scheduler", "sampler"]),
            ("inferenceSteps", ["inferencesteps", "numinferencesteps", "denoisingsteps"]),
            ("imageSize", ["imagesize", "size"]),
            ("width", ["width", "imagewidth"]),
            ("height", ["height", "imageheight"]),
            ("formats", ["formats", "outputformats", "outputs"]),
            ("review", ["review", "reviewgate"]),
        };
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, keys) in aliases)
        {
            foreach (var key in keys)
            {
                map[key] = name;
            }
        }

        return map;
    }

    private static string Normalize(string key) => key.Replace("_", "", StringComparison.Ordinal)
        .Replace("-", "", StringComparison.Ordinal)
        .ToLowerInvariant();

    private static string Where(SettingInput input) =>
        input.Path is null ? string.Create(CultureInfo.InvariantCulture, $" on line {input.Value.Line}") : $" at {input.Path}";

    private static string? Text(SettingInput input, string source, int maxLength, bool allowList = false)
    {
        var value = input.Value;
        string? text = value.Kind switch
        {
            FrontMatterValueKind.Null => null,
            FrontMatterValueKind.List when allowList => string.Join(", ", value.Items!.Select(i => ScalarText(input, i, source))),
            FrontMatterValueKind.List => throw new ManuscriptException(input.ErrorAt(source, $"'{input.Key}' must be text, not a list.")),
            _ => value.Text,
        };
        if (text is null)
        {
            return null;
        }

        text = ManuscriptText.CollapseWhitespace(ManuscriptText.Normalize(text));
        if (text.Length > maxLength)
        {
            throw new ManuscriptException(input.ErrorAt(source, $"'{input.Key}' is {text.Length} characters; the limit is {maxLength}."));
        }

        return text.Length == 0 ? null : text;
    }

    private static string ScalarText(SettingInput input, FrontMatterValue item, string source) =>
        item.Kind == FrontMatterValueKind.List
            ? throw new ManuscriptException(input.ErrorAt(source, $"'{input.Key}' must be a list of text, not of lists."))
            : item.Text;

    private static long? Integer(SettingInput input, string source, long min, long max)
    {
        var value = input.Value;
        if (value.Kind == FrontMatterValueKind.Null)
        {
            return null;
        }

        if (value.Kind != FrontMatterValueKind.List
            && long.TryParse(value.Text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            && number >= min && number <= max)
        {
            return number;
        }

        throw new ManuscriptException(input.ErrorAt(source,
            $"'{input.Key}' must be a whole number from {min} to {max}, got {value.Display}."));
    }

    private static double? Number(SettingInput input, string source, double min, double max)
    {
        var value = input.Value;
        if (value.Kind == FrontMatterValueKind.Null)
        {
            return null;
        }

        if (value.Kind != FrontMatterValueKind.List
            && double.TryParse(value.Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && number >= min && number <= max)
        {
            return number;
        }

        throw new ManuscriptException(input.ErrorAt(source,
            string.Create(CultureInfo.InvariantCulture, $"'{input.Key}' must be a number from {min} to {max}, got {value.Display}.")));
    }

    private static bool? Boolean(SettingInput input, string source)
    {
        var value = input.Value;
        return value.Kind switch
        {
            FrontMatterValueKind.Null => null,
            FrontMatterValueKind.List => throw new ManuscriptException(input.ErrorAt(source, $"'{input.Key}' must be true or false, not a list.")),
            _ => value.Text.Trim().ToLowerInvariant() switch
            {
                "true" or "yes" or "on" => true,
                "false" or "no" or "off" => false,
                _ => throw new ManuscriptException(input.ErrorAt(source, $"'{input.Key}' must be true or false, got {value.Display}.")),
            },
        };
    }

    private static int? ImageSide(SettingInput input, string source)
    {
        var side = (int?)Integer(input, source, 1, 100_000);
        if (side is { } s && ManuscriptOptions.ImageSideProblem(s) is { } problem)
        {
            throw new ManuscriptException(input.ErrorAt(source, $"'{input.Key}' {problem}"));
        }

        return side;
    }

    private static (int Width, int Height)? ImageSize(SettingInput input, string source)
    {
        var value = input.Value;
        int? width = null, height = null;
        switch (value.Kind)
        {
            case FrontMatterValueKind.Null:
                return null;
            case FrontMatterValueKind.List when value.Items!.Count == 2:
                width = ParseSide(value.Items[0].Text);
                height = ParseSide(value.Items[1].Text);
                break;
            case FrontMatterValueKind.List:
                break;
            default:
                var match = SizeText().Match(value.Text);
                if (match.Success)
                {
                    width = ParseSide(match.Groups["w"].Value);
                    height = match.Groups["h"].Success ? ParseSide(match.Groups["h"].Value) : width;
                }

                break;
        }

        if (width is null || height is null)
        {
            throw new ManuscriptException(input.ErrorAt(source,
                $"'{input.Key}' must be a size like 512, \"512x512\" or [512, 512], got {value.Display}."));
        }

        foreach (var side in new[] { width.Value, height.Value })
        {
            if (ManuscriptOptions.ImageSideProblem(side) is { } problem)
            {
                throw new ManuscriptException(input.ErrorAt(source, $"'{input.Key}': each side {problem}"));
            }
        }

        return (width.Value, height.Value);

        static int? ParseSide(string text) =>
            int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var side) ? side : null;
    }

    private static List<BookFormat>? Formats(SettingInput input, string source)
    {
        var value = input.Value;
        IEnumerable<string> names = value.Kind switch
        {
            FrontMatterValueKind.Null => [],
            FrontMatterValueKind.List => value.Items!.Select(i => ScalarText(input, i, source)),
            _ => value.Text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        };
        if (value.Kind == FrontMatterValueKind.Null)
        {
            return null;
        }

        var formats = new List<BookFormat>();
        foreach (var name in names)
        {
            BookFormat format = name.Trim().ToLowerInvariant() switch
            {
                "html" or "htm" => BookFormat.Html,
                "md" or "markdown" => BookFormat.Markdown,
                "epub" => BookFormat.Epub,
                _ => throw new ManuscriptException(input.ErrorAt(source, $"'{input.Key}' has unknown format '{name}'; use html, md, epub.")),
            };
            if (!formats.Contains(format))
            {
                formats.Add(format);
            }
        }

        return formats.Count > 0
            ? formats
            : throw new ManuscriptException(input.ErrorAt(source, $"'{input.Key}' must name at least one of html, md, epub."));
    }

    /// <summary>A JSON value as a front-matter value, so both sources bind through one path.</summary>
    internal static FrontMatterValue ToValue(JsonElement element, string path, string source, int depth) => element.ValueKind switch
    {
        JsonValueKind.String => new FrontMatterValue(FrontMatterValueKind.String, element.GetString()!, 0, 0, Quoted: true),
        JsonValueKind.Number => new FrontMatterValue(
            IntegerText().IsMatch(element.GetRawText()) ? FrontMatterValueKind.Integer : FrontMatterValueKind.Float, element.GetRawText(), 0, 0),
        JsonValueKind.True => new FrontMatterValue(FrontMatterValueKind.Boolean, "true", 0, 0),
        JsonValueKind.False => new FrontMatterValue(FrontMatterValueKind.Boolean, "false", 0, 0),
        JsonValueKind.Null => new FrontMatterValue(FrontMatterValueKind.Null, string.Empty, 0, 0),
        JsonValueKind.Array when depth == 0 => new FrontMatterValue(FrontMatterValueKind.List, string.Empty, 0, 0,
            Items: [.. element.EnumerateArray().Select((item, i) => ToValue(item, $"{path}[{i}]", source, depth + 1))]),
        _ => throw new ManuscriptException(new ManuscriptError(source,
            $"must be text, a number, true/false or a list of those, not {Describe(element.ValueKind)}.", Path: path)),
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list of lists",
        _ => kind.ToString(),
    };

    [GeneratedRegex(@"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();

    [GeneratedRegex(@"^\s*(?<w>[0-9]{1,5})\s*(?:[xX×]\s*(?<h>[0-9]{1,5}))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex SizeText();

    [GeneratedRegex(@"^-?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerText();
}
