using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// Turns query parameters or form fields (<c>?seed=7&amp;style=watercolour&amp;formats=html,epub</c>) into
/// <see cref="ManuscriptOptions"/>, through the same binder as front matter, so keys, aliases, ranges and error
/// messages are the ones the Manuscripts README documents. Values are typed the way front matter types plain
/// scalars (integers, numbers, true/false, else text); a repeated key, or a comma-separated <c>formats</c>, is a list.
/// Book metadata (title, author, language, description) belongs in the manuscript and is refused here.
/// </summary>
public static class RequestOptionsBinder
{
    private static readonly HashSet<string> ListKeys = ["formats", "outputformats", "outputs"];
    private static readonly HashSet<string> MetadataKeys = ["title", "author", "authors", "creator", "language", "lang", "description", "summary"];

    /// <summary>
    /// The options the fields set, or null when there are none. Throws <see cref="ManuscriptException"/> naming the
    /// field for an unknown key, a bad value, or book metadata.
    /// </summary>
    public static ManuscriptOptions? Bind(IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> fields, string source)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            return null;
        }

        var json = new JsonObject();
        foreach (var (key, values) in fields)
        {
            var normalized = Normalize(key);
            if (MetadataKeys.Contains(normalized))
            {
                throw new ManuscriptException(new ManuscriptError(source,
                    $"'{key}' is book metadata; set it in the manuscript (front matter or JSON). The request takes illustration options only."));
            }

            var items = ListKeys.Contains(normalized)
                ? values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
                : values.ToList();
            json[key] = items.Count == 1 && !ListKeys.Contains(normalized)
                ? Scalar(items[0])
                : new JsonArray(items.Select(Scalar).ToArray());
        }

        using var document = JsonDocument.Parse(json.ToJsonString());
        var settings = ManuscriptSettingsBinder.Bind(ManuscriptSettingsBinder.FromJson(document.RootElement, "query", source), source);
        return settings.Options;
    }

    private static JsonNode? Scalar(string text)
    {
        var trimmed = text.Trim();
        if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return JsonValue.Create(number);
        }

        if (string.Equals(trimmed, "true", StringComparison.OrdinalIgnoreCase) || string.Equals(trimmed, "false", StringComparison.OrdinalIgnoreCase))
        {
            return JsonValue.Create(string.Equals(trimmed, "true", StringComparison.OrdinalIgnoreCase));
        }

        return JsonValue.Create(text);
    }

    private static string Normalize(string key) =>
        key.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
}
