using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiniGpt5.Functions.Hosting;

/// <summary>
/// The JSON the app's task hub uses for inputs, outputs and custom status: web defaults (camelCase,
/// case-insensitive reads), enums as strings, nulls left out, so histories and statuses read well and stay small.
/// </summary>
public static class IllustrationJson
{
    /// <summary>The options (shared, read-only).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
