using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>Serializer settings for the runtime's own documents (history, messages, status): camelCase, enum names, no nulls.</summary>
internal static class DurableJson
{
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
