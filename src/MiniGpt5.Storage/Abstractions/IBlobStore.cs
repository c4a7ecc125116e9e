namespace MiniGpt5.Storage;

/// <summary>
/// Blob storage as the durable runtime, the app and the GPU workers use it. Two implementations share one
/// contract test suite: Azure Blob Storage over REST (Azure and Azurite) and the local file system.
/// Names are container + blob name; blob names may contain spaces, unicode and '/'.
/// Conditional failures surface as typed exceptions: <see cref="BlobNotFoundException"/> (404),
/// <see cref="BlobAlreadyExistsException"/> (409 on a create-only write) and
/// <see cref="BlobConditionFailedException"/> (412, including lease mismatches).
/// </summary>
public interface IBlobStore
{
    /// <summary>Creates the container; returns false if it already existed.</summary>
    Task<bool> CreateContainerAsync(string container, CancellationToken cancellationToken = default);

    /// <summary>Deletes the container and everything in it; returns false if it did not exist.</summary>
    Task<bool> DeleteContainerAsync(string container, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a block blob from <paramref name="content"/>. Small streams go in one request; large or
    /// unseekable streams are split into blocks uploaded in parallel and committed with one block list.
    /// </summary>
    Task<BlobWriteResult> PutAsync(
        string container,
        string name,
        Stream content,
        BlobPutOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>Opens a blob for streaming reads, optionally a byte range of it.</summary>
    Task<BlobDownload> GetAsync(
        string container,
        string name,
        BlobRange? range = null,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default);

    /// <summary>Size, ETag, content type, metadata and lease state of a blob.</summary>
    Task<BlobProperties> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default);

    /// <summary>Replaces the blob's metadata; returns the new ETag.</summary>
    Task<BlobWriteResult> SetMetadataAsync(
        string container,
        string name,
        IReadOnlyDictionary<string, string> metadata,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default);

    /// <summary>One page of a listing. Pass the previous page's <see cref="BlobPage.ContinuationToken"/> to go on.</summary>
    Task<BlobPage> ListPageAsync(
        string container,
        BlobListOptions? options = null,
        string? continuationToken = null,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes a blob; returns false if it did not exist.</summary>
    Task<bool> DeleteAsync(
        string container,
        string name,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Acquires a lease for 15-60 s, or infinite with <see cref="Timeout.InfiniteTimeSpan"/>.
    /// Throws <see cref="BlobLeaseConflictException"/> when another lease holds the blob.
    /// </summary>
    Task<string> AcquireLeaseAsync(
        string container,
        string name,
        TimeSpan duration,
        string? proposedLeaseId = null,
        CancellationToken cancellationToken = default);

    /// <summary>Renews a lease we hold. Throws <see cref="BlobLeaseConflictException"/> if it was lost.</summary>
    Task RenewLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default);

    /// <summary>Releases a lease we hold so another party can acquire it at once.</summary>
    Task ReleaseLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default);

    /// <summary>Breaks whoever holds the lease; returns the time until it can be acquired again.</summary>
    Task<TimeSpan> BreakLeaseAsync(
        string container,
        string name,
        TimeSpan? breakPeriod = null,
        CancellationToken cancellationToken = default);

    /// <summary>Creates an empty append blob (create-only when <see cref="BlobPutOptions.Conditions"/> says so).</summary>
    Task<BlobWriteResult> CreateAppendBlobAsync(
        string container,
        string name,
        BlobPutOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends one block. With <paramref name="expectedAppendPosition"/> the append only succeeds when the
    /// blob is exactly that long (an idempotent log), otherwise <see cref="BlobConditionFailedException"/>.
    /// </summary>
    Task<BlobAppendResult> AppendBlockAsync(
        string container,
        string name,
        ReadOnlyMemory<byte> block,
        long? expectedAppendPosition = null,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default);
}
