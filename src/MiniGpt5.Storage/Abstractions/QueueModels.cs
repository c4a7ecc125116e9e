namespace MiniGpt5.Storage;

/// <summary>What a send or update returns: the id, the pop receipt to use next, and when the message shows.</summary>
public sealed record QueueMessageReceipt(string MessageId, string PopReceipt, DateTimeOffset NextVisibleOn);

/// <summary>A received message, hidden from others until <see cref="NextVisibleOn"/>.</summary>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    string Text,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    DateTimeOffset NextVisibleOn);

/// <summary>A peeked message: seen, not received.</summary>
public sealed record PeekedQueueMessage(string MessageId, string Text, long DequeueCount, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn);
