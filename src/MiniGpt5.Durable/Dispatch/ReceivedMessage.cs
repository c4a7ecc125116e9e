using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>A received queue message with its decoded body. <see cref="PopReceipt"/> changes on every update.</summary>
internal sealed class ReceivedMessage<T>(string queue, QueueMessage raw, T body, int abandons)
    where T : class
{
    public string Queue { get; } = queue;

    public QueueMessage Raw { get; } = raw;

    public T Body { get; } = body;

    /// <summary>Graceful hand-backs recorded in the message text.</summary>
    public int Abandons { get; } = abandons;

    public string MessageId => Raw.MessageId;

    public string PopReceipt { get; set; } = raw.PopReceipt;

    /// <summary>The message text as it is now on the queue (a worker may rewrite it, for example trimming finished calls).</summary>
    public string Text { get; set; } = raw.Text;

    /// <summary>Deliveries that did not end in a graceful hand-back (the poison count).</summary>
    public long FailedDeliveries => Raw.DequeueCount - Abandons;
}
