using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Tests.Infrastructure;

/// <summary>
/// Wraps a real queue store and injects faults a test asks for: duplicated sends (at-least-once delivery),
/// inflated dequeue counts (a message that crashed its workers before), transient 503s.
/// </summary>
public sealed class FaultyQueueStore(IQueueStore inner) : IQueueStore
{
    /// <summary>Sends whose text matches are delivered twice.</summary>
    public Func<string, bool>? DuplicateSend { get; set; }

    /// <summary>Added to the dequeue count of received messages whose text matches.</summary>
    public Func<QueueMessage, long>? ExtraDequeues { get; set; }

    /// <summary>Every Nth operation fails with a 503 before reaching the store (0 = never).</summary>
    public int FailEveryNth { get; set; }

    /// <summary>Messages sent twice so far.</summary>
    public int Duplicated => Volatile.Read(ref _duplicated);

    /// <summary>503s injected so far.</summary>
    public int Injected503 => Volatile.Read(ref _injected);

    private int _duplicated;
    private int _injected;
    private int _operations;

    public Task<bool> CreateQueueAsync(string queue, CancellationToken cancellationToken = default) => inner.CreateQueueAsync(queue, cancellationToken);

    public Task<bool> DeleteQueueAsync(string queue, CancellationToken cancellationToken = default) => inner.DeleteQueueAsync(queue, cancellationToken);

    public async Task<QueueMessageReceipt> SendAsync(string queue, string text, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        MaybeFail(queue);
        var receipt = await inner.SendAsync(queue, text, visibilityDelay, timeToLive, cancellationToken);
        if (DuplicateSend?.Invoke(text) == true)
        {
            Interlocked.Increment(ref _duplicated);
            await inner.SendAsync(queue, text, visibilityDelay, timeToLive, cancellationToken);
        }

        return receipt;
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        MaybeFail(queue);
        var messages = await inner.ReceiveAsync(queue, maxMessages, visibilityTimeout, cancellationToken);
        return ExtraDequeues is null ? messages : messages.Select(m => m with { DequeueCount = m.DequeueCount + ExtraDequeues(m) }).ToList();
    }

    public Task<QueueMessageReceipt> UpdateAsync(string queue, string messageId, string popReceipt, TimeSpan visibilityTimeout, string? newText = null, CancellationToken cancellationToken = default)
    {
        MaybeFail(queue);
        return inner.UpdateAsync(queue, messageId, popReceipt, visibilityTimeout, newText, cancellationToken);
    }

    public Task DeleteAsync(string queue, string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        MaybeFail(queue);
        return inner.DeleteAsync(queue, messageId, popReceipt, cancellationToken);
    }

    public Task<IReadOnlyList<PeekedQueueMessage>> PeekAsync(string queue, int maxMessages, CancellationToken cancellationToken = default) => inner.PeekAsync(queue, maxMessages, cancellationToken);

    public Task<int> GetApproximateCountAsync(string queue, CancellationToken cancellationToken = default) => inner.GetApproximateCountAsync(queue, cancellationToken);

    private void MaybeFail(string queue)
    {
        var n = FailEveryNth;
        if (n > 0 && Interlocked.Increment(ref _operations) % n == 0)
        {
            Interlocked.Increment(ref _injected);
            throw new StorageException($"Injected 503 on queue '{queue}'.") { Status = 503, ErrorCode = "ServerBusy" };
        }
    }
}
