using MiniGpt5.Storage;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>Counts the blob operations a benchmark run makes.</summary>
internal sealed class CountingBlobStore(IBlobStore inner) : IBlobStore
{
    private long _operations;

    /// <summary>Operations since the last <see cref="Reset"/>.</summary>
    public long Total => Interlocked.Read(ref _operations);

    public void Reset() => Interlocked.Exchange(ref _operations, 0);

    public Task<bool> CreateContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.CreateContainerAsync(container, cancellationToken);
    }

    public Task<bool> DeleteContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.DeleteContainerAsync(container, cancellationToken);
    }

    public Task<BlobWriteResult> PutAsync(string container, string name, Stream content, BlobPutOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.PutAsync(container, name, content, options, cancellationToken);
    }

    public Task<BlobDownload> GetAsync(string container, string name, BlobRange? range = null, BlobConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.GetAsync(container, name, range, conditions, cancellationToken);
    }

    public Task<BlobProperties> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.GetPropertiesAsync(container, name, cancellationToken);
    }

    public Task<BlobWriteResult> SetMetadataAsync(string container, string name, IReadOnlyDictionary<string, string> metadata, BlobConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.SetMetadataAsync(container, name, metadata, conditions, cancellationToken);
    }

    public Task<BlobPage> ListPageAsync(string container, BlobListOptions? options = null, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.ListPageAsync(container, options, continuationToken, cancellationToken);
    }

    public Task<bool> DeleteAsync(string container, string name, BlobConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.DeleteAsync(container, name, conditions, cancellationToken);
    }

    public Task<string> AcquireLeaseAsync(string container, string name, TimeSpan duration, string? proposedLeaseId = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.AcquireLeaseAsync(container, name, duration, proposedLeaseId, cancellationToken);
    }

    public Task RenewLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.RenewLeaseAsync(container, name, leaseId, cancellationToken);
    }

    public Task ReleaseLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.ReleaseLeaseAsync(container, name, leaseId, cancellationToken);
    }

    public Task<TimeSpan> BreakLeaseAsync(string container, string name, TimeSpan? breakPeriod = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.BreakLeaseAsync(container, name, breakPeriod, cancellationToken);
    }

    public Task<BlobWriteResult> CreateAppendBlobAsync(string container, string name, BlobPutOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.CreateAppendBlobAsync(container, name, options, cancellationToken);
    }

    public Task<BlobAppendResult> AppendBlockAsync(string container, string name, ReadOnlyMemory<byte> block, long? expectedAppendPosition = null, BlobConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _operations);
        return inner.AppendBlockAsync(container, name, block, expectedAppendPosition, conditions, cancellationToken);
    }
}
