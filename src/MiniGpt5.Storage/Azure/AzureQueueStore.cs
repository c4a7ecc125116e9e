using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace MiniGpt5.Storage.Azure;

/// <summary>
/// <see cref="IQueueStore"/> over the Azure Queue REST API (Azure and Azurite). Message text is UTF-8 then base64
/// on the wire, so any string (XML specials, control characters) survives; reading falls back to the raw text
/// when a message was not written base64 by us (another producer).
/// </summary>
public sealed class AzureQueueStore : IQueueStore
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private readonly AzureRestClient _client;

    internal AzureQueueStore(AzureRestClient client) => _client = client;

    /// <summary>The queue service URL.</summary>
    public Uri Endpoint => _client.Endpoint;

    /// <inheritdoc />
    public async Task<bool> CreateQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        using var message = CreateMessage(RequestMethod.Put, queue);
        var response = await SendAsync(message, Operation("Create queue", queue), cancellationToken).ConfigureAwait(false);
        return response.Status == 201; // 204: it already existed.
    }

    /// <inheritdoc />
    public async Task<bool> DeleteQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        using var message = CreateMessage(RequestMethod.Delete, queue);
        var response = await SendAsync(message, Operation("Delete queue", queue), cancellationToken, (s, _) => s == 404).ConfigureAwait(false);
        return response.Status == 204;
    }

    /// <inheritdoc />
    public async Task<QueueMessageReceipt> SendAsync(
        string queue,
        string text,
        TimeSpan? visibilityDelay = null,
        TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        StorageNames.ValidateMessageText(queue, text, nameof(text));
        var delay = StorageNames.ValidateUpdateVisibility(visibilityDelay ?? TimeSpan.Zero, nameof(visibilityDelay));
        var ttl = StorageNames.ValidateTimeToLive(timeToLive, delay);
        using var message = CreateMessage(
            RequestMethod.Post,
            queue + "/messages",
            ("visibilitytimeout", AzureRestClient.Seconds(delay)),
            ("messagettl", AzureRestClient.Seconds(ttl)));
        message.Request.Content = MessageBody(text);
        var response = await SendAsync(message, Operation("Put message", queue), cancellationToken).ConfigureAwait(false);
        var element = (await ReadMessagesAsync(response, cancellationToken).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new StorageException($"Put message to queue '{queue}' returned no message.");
        return new QueueMessageReceipt(
            Value(element, "MessageId"),
            Value(element, "PopReceipt"),
            ParseDate(Value(element, "TimeNextVisible")));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(
        string queue,
        int maxMessages,
        TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        StorageNames.ValidateMessageCount(maxMessages);
        var seconds = StorageNames.ValidateReceiveVisibility(visibilityTimeout);
        using var message = CreateMessage(
            RequestMethod.Get,
            queue + "/messages",
            ("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture)),
            ("visibilitytimeout", AzureRestClient.Seconds(seconds)));
        var response = await SendAsync(message, Operation("Get messages", queue), cancellationToken).ConfigureAwait(false);
        return (await ReadMessagesAsync(response, cancellationToken).ConfigureAwait(false))
            .Select(e => new QueueMessage(
                Value(e, "MessageId"),
                Value(e, "PopReceipt"),
                DecodeText(Value(e, "MessageText")),
                long.Parse(Value(e, "DequeueCount"), CultureInfo.InvariantCulture),
                ParseDate(Value(e, "InsertionTime")),
                ParseDate(Value(e, "ExpirationTime")),
                ParseDate(Value(e, "TimeNextVisible"))))
            .ToList();
    }

    /// <inheritdoc />
    public async Task<QueueMessageReceipt> UpdateAsync(
        string queue,
        string messageId,
        string popReceipt,
        TimeSpan visibilityTimeout,
        string? newText = null,
        CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        var seconds = StorageNames.ValidateUpdateVisibility(visibilityTimeout, nameof(visibilityTimeout));
        if (newText is not null)
        {
            StorageNames.ValidateMessageText(queue, newText, nameof(newText));
        }

        using var message = CreateMessage(
            RequestMethod.Put,
            queue + "/messages/" + Uri.EscapeDataString(messageId),
            ("popreceipt", popReceipt),
            ("visibilitytimeout", AzureRestClient.Seconds(seconds)));
        message.Request.Content = newText is null ? RequestContent.Create(ReadOnlyMemory<byte>.Empty) : MessageBody(newText);
        var response = await SendAsync(message, Operation("Update message", queue, messageId), cancellationToken).ConfigureAwait(false);
        return new QueueMessageReceipt(
            messageId,
            Header(response, "x-ms-popreceipt") ?? throw new StorageException($"Update message {messageId} in queue '{queue}': no x-ms-popreceipt in the response."),
            ParseDate(Header(response, "x-ms-time-next-visible")));
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string queue, string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        using var message = CreateMessage(
            RequestMethod.Delete,
            queue + "/messages/" + Uri.EscapeDataString(messageId),
            ("popreceipt", popReceipt));
        await SendAsync(message, Operation("Delete message", queue, messageId), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PeekedQueueMessage>> PeekAsync(string queue, int maxMessages, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        StorageNames.ValidateMessageCount(maxMessages);
        using var message = CreateMessage(
            RequestMethod.Get,
            queue + "/messages",
            ("peekonly", "true"),
            ("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture)));
        var response = await SendAsync(message, Operation("Peek messages", queue), cancellationToken).ConfigureAwait(false);
        return (await ReadMessagesAsync(response, cancellationToken).ConfigureAwait(false))
            .Select(e => new PeekedQueueMessage(
                Value(e, "MessageId"),
                DecodeText(Value(e, "MessageText")),
                long.Parse(Value(e, "DequeueCount"), CultureInfo.InvariantCulture),
                ParseDate(Value(e, "InsertionTime")),
                ParseDate(Value(e, "ExpirationTime"))))
            .ToList();
    }

    /// <inheritdoc />
    public async Task<int> GetApproximateCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        using var message = CreateMessage(RequestMethod.Get, queue, ("comp", "metadata"));
        var response = await SendAsync(message, Operation("Get queue metadata", queue), cancellationToken).ConfigureAwait(false);
        return int.Parse(
            Header(response, "x-ms-approximate-messages-count")
                ?? throw new StorageException($"Get queue metadata for '{queue}': no x-ms-approximate-messages-count in the response."),
            CultureInfo.InvariantCulture);
    }

    private static RequestContent MessageBody(string text)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        var body = new XElement("QueueMessage", new XElement("MessageText", encoded));
        return RequestContent.Create(Encoding.UTF8.GetBytes(body.ToString(SaveOptions.DisableFormatting)));
    }

    /// <summary>Our messages are base64 of UTF-8; anything that does not decode as such is returned as sent.</summary>
    private static string DecodeText(string wire)
    {
        var buffer = new byte[wire.Length];
        if (!Convert.TryFromBase64String(wire, buffer, out var length))
        {
            return wire;
        }

        try
        {
            return StrictUtf8.GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return wire;
        }
    }

    private static async Task<List<XElement>> ReadMessagesAsync(Response response, CancellationToken cancellationToken)
    {
        var document = await XDocument.LoadAsync(response.ContentStream!, LoadOptions.None, cancellationToken).ConfigureAwait(false);
        return document.Root?.Elements("QueueMessage").ToList() ?? [];
    }

    private HttpMessage CreateMessage(RequestMethod method, string escapedPath, params (string Name, string? Value)[] query)
    {
        var message = _client.CreateMessage(method, escapedPath, query);
        if (method == RequestMethod.Put || method == RequestMethod.Post)
        {
            message.Request.Content = RequestContent.Create(ReadOnlyMemory<byte>.Empty);
        }

        return message;
    }

    private Task<Response> SendAsync(HttpMessage message, StorageOperation operation, CancellationToken cancellationToken, Func<int, string?, bool>? tolerate = null) =>
        _client.SendAsync(message, operation, cancellationToken, tolerate);

    private StorageOperation Operation(string name, string queue, string? messageId = null) =>
        new(name, _client.Account, Queue: queue, MessageId: messageId);

    private static string Value(XElement element, string name) => element.Element(name)?.Value ?? string.Empty;

    private static string? Header(Response response, string name) => response.Headers.TryGetValue(name, out var value) ? value : null;

    private static DateTimeOffset ParseDate(string? value) =>
        string.IsNullOrEmpty(value) ? default : DateTimeOffset.ParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
