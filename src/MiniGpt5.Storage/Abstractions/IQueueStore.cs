namespace MiniGpt5.Storage;

/// <summary>
/// Queues with Azure Storage Queue semantics: at-least-once delivery, a visibility timeout per receive, a pop
/// receipt that changes on every update, and a dequeue count that is the only poison signal. Two
/// implementations share one contract test suite: Azure Queue Storage over REST and the local file system.
/// Message text is any string; implementations encode it so that it survives the service (base64 on Azure).
/// </summary>
public interface IQueueStore
{
    /// <summary>Largest message text, in UTF-8 bytes, that every implementation accepts (48 KiB: Azure's 64 KiB after base64).</summary>
    public const int MaxMessageBytes = 48 * 1024;

    /// <summary>Creates the queue; returns false if it already existed.</summary>
    Task<bool> CreateQueueAsync(string queue, CancellationToken cancellationToken = default);

    /// <summary>Deletes the queue and its messages; returns false if it did not exist.</summary>
    Task<bool> DeleteQueueAsync(string queue, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a message. <paramref name="visibilityDelay"/> hides it at first (durable timers use this);
    /// <paramref name="timeToLive"/> defaults to 7 days, <see cref="Timeout.InfiniteTimeSpan"/> means never expire.
    /// </summary>
    Task<QueueMessageReceipt> SendAsync(
        string queue,
        string text,
        TimeSpan? visibilityDelay = null,
        TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default);

    /// <summary>Receives up to <paramref name="maxMessages"/> (1-32) messages and hides them for <paramref name="visibilityTimeout"/>.</summary>
    Task<IReadOnlyList<QueueMessage>> ReceiveAsync(
        string queue,
        int maxMessages,
        TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes a received message's visibility (a heartbeat, or 0 to abandon it) and optionally its text.
    /// Returns the new pop receipt, which replaces the old one. Throws <see cref="QueueMessageNotFoundException"/>
    /// when the message is gone or its receipt is stale (someone else received it since).
    /// </summary>
    Task<QueueMessageReceipt> UpdateAsync(
        string queue,
        string messageId,
        string popReceipt,
        TimeSpan visibilityTimeout,
        string? newText = null,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes a received message. Throws <see cref="QueueMessageNotFoundException"/> when gone or stale.</summary>
    Task DeleteAsync(string queue, string messageId, string popReceipt, CancellationToken cancellationToken = default);

    /// <summary>Looks at up to <paramref name="maxMessages"/> visible messages without hiding them or counting a dequeue.</summary>
    Task<IReadOnlyList<PeekedQueueMessage>> PeekAsync(string queue, int maxMessages, CancellationToken cancellationToken = default);

    /// <summary>Approximate number of messages, visible and hidden (what queue-length autoscalers read).</summary>
    Task<int> GetApproximateCountAsync(string queue, CancellationToken cancellationToken = default);
}
