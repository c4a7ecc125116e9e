using System.Text.Json;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// The parts of an Event Grid <c>Microsoft.Storage.BlobCreated</c> event the ingestion trigger uses.
/// </summary>
/// <param name="EventType">The event type.</param>
/// <param name="Container">Container from the subject (<c>/blobServices/default/containers/{container}/blobs/{name}</c>).</param>
/// <param name="BlobName">Blob name from the subject (may contain '/').</param>
/// <param name="ETag">The blob's ETag when the event was raised.</param>
public sealed record BlobCreatedEvent(string EventType, string Container, string BlobName, string ETag)
{
    /// <summary>The event type this trigger acts on.</summary>
    public const string BlobCreatedType = "Microsoft.Storage.BlobCreated";

    private const string ContainersMarker = "/containers/";
    private const string BlobsMarker = "/blobs/";

    /// <summary>
    /// Reads the event from the invocation's <c>Data.event</c> value: the queue message text (a JSON string holding
    /// the event), or the event object itself. Throws <see cref="FormatException"/> naming what is missing.
    /// </summary>
    public static BlobCreatedEvent Parse(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            try
            {
                using var inner = JsonDocument.Parse(text);
                return Parse(inner.RootElement);
            }
            catch (JsonException e)
            {
                throw new FormatException($"Data.event is text but not a JSON Event Grid event: {e.Message}", e);
            }
        }

        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 1)
        {
            return Parse(value[0]); // Event Grid's array framing, when a queue writer kept it
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Data.event must be an Event Grid event (object or JSON text), not {value.ValueKind}.");
        }

        var eventType = String(value, "eventType") ?? String(value, "type") ?? throw new FormatException("The event has no 'eventType'.");
        var subject = String(value, "subject") ?? throw new FormatException("The event has no 'subject'.");
        var containerAt = subject.IndexOf(ContainersMarker, StringComparison.Ordinal);
        var blobsAt = containerAt < 0 ? -1 : subject.IndexOf(BlobsMarker, containerAt + ContainersMarker.Length, StringComparison.Ordinal);
        if (containerAt < 0 || blobsAt < 0)
        {
            throw new FormatException($"The event subject '{subject}' is not '/blobServices/default/containers/<container>/blobs/<name>'.");
        }

        var container = subject[(containerAt + ContainersMarker.Length)..blobsAt];
        var blobName = subject[(blobsAt + BlobsMarker.Length)..];
        var etag = value.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? String(data, "eTag") ?? String(data, "etag") : null;
        return new BlobCreatedEvent(eventType, container, blobName, etag ?? string.Empty);
    }

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
