using System.Text.Json.Serialization;

namespace MiniGpt5.Storage.Local;

/// <summary>Source-generated JSON for the local store's records (no reflection, stable field names on disk).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LocalBlobRecord))]
[JsonSerializable(typeof(LocalQueueMessageRecord))]
internal sealed partial class LocalJsonContext : JsonSerializerContext
{
}
