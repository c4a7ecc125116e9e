using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// Queue message text: <c>{"a":n,"m":{...}}</c>, or <c>{"a":n,"ref":"blob"}</c> when the body is larger than a
/// queue message may be (<see cref="IQueueStore.MaxMessageBytes"/>) and went to the payloads container.
/// <c>a</c> counts graceful hand-backs (shutdown, partition moves, lost races): those rewrite the message with
/// <c>a+1</c> when they release it, so the poison rule <c>DequeueCount - a &gt; MaxDequeueCount</c> counts only
/// deliveries that ended in a crash or an error.
/// </summary>
internal sealed class MessageCodec(PayloadStore payloads)
{
    // Room for the wrapper and a rewritten hand-back counter.
    private const int WrapperReserve = 64;
    private static readonly JsonSerializerOptions Json = DurableJson.Options;

    public async Task<string> EncodeAsync<T>(T body, string instanceId, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(body, Json);
        if (Encoding.UTF8.GetByteCount(json) + WrapperReserve <= IQueueStore.MaxMessageBytes)
        {
            return "{\"a\":0,\"m\":" + json + "}";
        }

        var name = await payloads.StoreAsync(instanceId, json, cancellationToken);
        return "{\"a\":0,\"ref\":" + JsonSerializer.Serialize(name, Json) + "}";
    }

    public async Task<DecodedMessage<T>> DecodeAsync<T>(string text, CancellationToken cancellationToken)
        where T : class
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new MessageFormatException($"Message is not JSON: {e.Message}", e);
        }

        using (document)
        {
            var wrapper = document.RootElement;
            if (wrapper.ValueKind != JsonValueKind.Object)
            {
                throw new MessageFormatException("Message is not a JSON object.");
            }

            var abandons = wrapper.TryGetProperty("a", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt32() : 0;
            T? body;
            try
            {
                if (wrapper.TryGetProperty("m", out var inline))
                {
                    body = inline.Deserialize<T>(Json);
                }
                else if (wrapper.TryGetProperty("ref", out var reference) && reference.ValueKind == JsonValueKind.String)
                {
                    var json = await payloads.ReadAsync(reference.GetString()!, cancellationToken);
                    body = JsonSerializer.Deserialize<T>(json, Json);
                }
                else
                {
                    throw new MessageFormatException("Message has neither a body ('m') nor a payload reference ('ref').");
                }
            }
            catch (JsonException e)
            {
                throw new MessageFormatException($"Message body is not a {typeof(T).Name}: {e.Message}", e);
            }

            return new DecodedMessage<T>(body ?? throw new MessageFormatException("Message body is null."), abandons);
        }
    }
    /// <summary>The same message with its hand-back counter set to <paramref name="abandons"/>.</summary>
    public static string WithAbandons(string text, int abandons)
    {
        if (JsonNode.Parse(text) is not JsonObject wrapper)
        {
            return text;
        }

        wrapper["a"] = abandons;
        return wrapper.ToJsonString();
    }
}

/// <summary>A decoded message and its graceful hand-back count.</summary>
internal sealed record DecodedMessage<T>(T Body, int Abandons);

/// <summary>A queue message the runtime cannot read; it goes straight to the poison container.</summary>
internal sealed class MessageFormatException : Exception
{
    public MessageFormatException(string message)
        : base(message)
    {
    }

    public MessageFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
