using System.Text.Json;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Ingestion;

/// <summary>
/// Reads illustration options from a JSON object (an HTTP body's <c>options</c>, a schedule's <c>options</c>) with
/// exactly the keys, aliases and checks of manuscript front matter (<c>guidance_scale</c>, <c>guidance</c>,
/// <c>cfg</c>...; case, <c>_</c> and <c>-</c> ignored; unknown keys refused).
/// </summary>
public static class RequestOptions
{
    /// <summary>
    /// The options in <paramref name="options"/> (a JSON object). Throws <see cref="ManuscriptException"/> naming
    /// <paramref name="source"/>, the JSON path and the problem. Book metadata keys (<c>title</c>, <c>author</c>)
    /// are refused: a request cannot retitle a manuscript.
    /// </summary>
    public static ManuscriptOptions FromJson(JsonElement options, string source, string path = "$.options")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (options.ValueKind != JsonValueKind.Object)
        {
            throw new ManuscriptException(new ManuscriptError(source, $"\"options\" must be an object, got {options.ValueKind.ToString().ToLowerInvariant()}.", Path: path));
        }

        var bound = ManuscriptSettingsBinder.Bind(ManuscriptSettingsBinder.FromJson(options, path, source), source);
        if (bound.Title is not null || bound.Author is not null || bound.Language is not null || bound.Description is not null)
        {
            throw new ManuscriptException(new ManuscriptError(source,
                "options may not set title, author, language or description; those belong to the manuscript.", Path: path));
        }

        return bound.Options;
    }
}
