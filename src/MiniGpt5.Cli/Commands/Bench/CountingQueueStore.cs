using MiniGpt5.Storage;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>Counts the queue operations a benchmark run makes (each one is a billed storage transaction on Azure).</summary>
internal sealed class CountingQueueStore(IQueueStore inner) : IQueueStore
{
    private long _operations;

    /// <summary>Operations since the last <see cref="Reset"/>.</summary>
    public long Total => Interlocked.Read(ref _operations);

    public void Reset() => Interlocked.Exchange(ref _operations, 0);

    public Task<bool> CreateQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.CreateQueueAsync(queue, cancellationToken);
    }

    public Task<bool> DeleteQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.DeleteQueueAsync(queue, cancellationToken);
    }

    public Task<QueueMessageReceipt> SendAsync(string queue, string text, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.SendAsync(queue, text, visibilityDelay, timeToLive, cancellationToken);
    }

    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.ReceiveAsync(queue, maxMessages, visibilityTimeout, cancellationToken);
    }

    public Task<QueueMessageReceipt> UpdateAsync(string queue, string messageId, string popReceipt, TimeSpan visibilityTimeout, string? newText = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.UpdateAsync(queue, messageId, popReceipt, visibilityTimeout, newText, cancellationToken);
    }

    public Task DeleteAsync(string queue, string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.DeleteAsync(queue, messageId, popReceipt, cancellationToken);
    }

    public Task<IReadOnlyList<PeekedQueueMessage>> PeekAsync(string queue, int maxMessages, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.PeekAsync(queue, maxMessages, cancellationToken);
    }

    public Task<int> GetApproximateCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.GetApproximateCountAsync(queue, cancellationToken);
    }
}
