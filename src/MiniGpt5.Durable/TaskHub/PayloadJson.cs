using System.Text.Json;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>User payloads (inputs, outputs, events, custom status) to and from JSON text.</summary>
internal static class PayloadJson
{
    /// <summary>The options used when the host configures none: web defaults (camelCase, case-insensitive reads).</summary>
    public static JsonSerializerOptions DefaultOptions { get; } = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value, JsonSerializerOptions options) => JsonSerializer.Serialize(value, options);

    public static string? SerializeObject(object? value, JsonSerializerOptions options) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), options);

    public static T Deserialize<T>(string? json, JsonSerializerOptions options)
    {
        if (string.IsNullOrEmpty(json))
        {
            return default!;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, options)!;
        }
        catch (JsonException e)
        {
            throw new JsonException($"Could not read the payload as {typeof(T).Name}: {e.Message} Payload starts with: {Shorten(json)}", e);
        }
    }

    private static string Shorten(string json) => json.Length <= 120 ? json : json[..120] + "...";
}
