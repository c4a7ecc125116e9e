using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Tests.Infrastructure;

/// <summary>
/// A blob store whose next append succeeds but whose answer is "lost" (a 503 after the write), the case where a
/// retried append then finds the position already moved — by its own first try.
/// </summary>
public sealed class LostResponseBlobStore(IBlobStore inner) : IBlobStore
{
    public int LoseNextAppends { get; set; }

    public Task<bool> CreateContainerAsync(string container, CancellationToken cancellationToken = default) => inner.CreateContainerAsync(container, cancellationToken);

    public Task<bool> DeleteContainerAsync(string container, CancellationToken cancellationToken = default) => inner.DeleteContainerAsync(container, cancellationToken);

    public Task<BlobWriteResult> PutAsync(string container, string name, Stream content, BlobPutOptions? options = null, CancellationToken cancellationToken = default) => inner.PutAsync(container, name, content, options, cancellationToken);

    public Task<BlobDownload> GetAsync(string container, string name, BlobRange? range = null, BlobConditions? conditions = null, CancellationToken cancellationToken = default) => inner.GetAsync(container, name, range, conditions, cancellationToken);

    public Task<BlobProperties> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default) => inner.GetPropertiesAsync(container, name, cancellationToken);

    public Task<BlobWriteResult> SetMetadataAsync(string container, string name, IReadOnlyDictionary<string, string> metadata, BlobConditions? conditions = null, CancellationToken cancellationToken = default) => inner.SetMetadataAsync(container, name, metadata, conditions, cancellationToken);

    public Task<BlobPage> ListPageAsync(string container, BlobListOptions? options = null, string? continuationToken = null, CancellationToken cancellationToken = default) => inner.ListPageAsync(container, options, continuationToken, cancellationToken);

    public Task<bool> DeleteAsync(string container, string name, BlobConditions? conditions = null, CancellationToken cancellationToken = default) => inner.DeleteAsync(container, name, conditions, cancellationToken);

    public Task<string> AcquireLeaseAsync(string container, string name, TimeSpan duration, string? proposedLeaseId = null, CancellationToken cancellationToken = default) => inner.AcquireLeaseAsync(container, name, duration, proposedLeaseId, cancellationToken);

    public Task RenewLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default) => inner.RenewLeaseAsync(container, name, leaseId, cancellationToken);

    public Task ReleaseLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default) => inner.ReleaseLeaseAsync(container, name, leaseId, cancellationToken);

    public Task<TimeSpan> BreakLeaseAsync(string container, string name, TimeSpan? breakPeriod = null, CancellationToken cancellationToken = default) => inner.BreakLeaseAsync(container, name, breakPeriod, cancellationToken);

    public Task<BlobWriteResult> CreateAppendBlobAsync(string container, string name, BlobPutOptions? options = null, CancellationToken cancellationToken = default) => inner.CreateAppendBlobAsync(container, name, options, cancellationToken);

    public async Task<BlobAppendResult> AppendBlockAsync(string container, string name, ReadOnlyMemory<byte> block, long? expectedAppendPosition = null, BlobConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        var result = await inner.AppendBlockAsync(container, name, block, expectedAppendPosition, conditions, cancellationToken);
        if (LoseNextAppends > 0)
        {
            LoseNextAppends--;
            throw new StorageException("Injected: the append succeeded but its response was lost.") { Status = 503 };
        }

        return result;
    }
}
