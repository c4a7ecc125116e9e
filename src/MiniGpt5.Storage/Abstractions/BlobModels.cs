namespace MiniGpt5.Storage;

/// <summary>Preconditions on a blob operation, as Azure's conditional headers.</summary>
/// <param name="IfMatch">Only if the blob's current ETag equals this (optimistic update).</param>
/// <param name="IfNoneMatch">Only if the ETag differs; <c>"*"</c> means only if the blob does not exist (create-only).</param>
/// <param name="LeaseId">The lease we hold; required to write a leased blob.</param>
public sealed record BlobConditions(string? IfMatch = null, string? IfNoneMatch = null, string? LeaseId = null)
{
    /// <summary>Create-only: fail with <see cref="BlobAlreadyExistsException"/> if the blob exists.</summary>
    public static BlobConditions CreateOnly { get; } = new(IfNoneMatch: "*");

    /// <summary>Only if the blob still has this ETag.</summary>
    public static BlobConditions IfETagMatches(string etag) => new(IfMatch: etag);
}

/// <summary>Options for a block or append blob write.</summary>
public sealed record BlobPutOptions
{
    /// <summary>MIME type stored with the blob.</summary>
    public string? ContentType { get; init; }

    /// <summary>User metadata; names must be valid C# identifiers (Azure's rule).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Preconditions on the write.</summary>
    public BlobConditions? Conditions { get; init; }

    /// <summary>Streams longer than this are uploaded as parallel blocks. Default 32 MiB.</summary>
    public long? SingleShotLimit { get; init; }

    /// <summary>Block size for block uploads. Default 8 MiB.</summary>
    public int? BlockSize { get; init; }

    /// <summary>Blocks uploaded at once. Default 4.</summary>
    public int? MaxParallelism { get; init; }
}

/// <summary>A byte range; <see cref="Length"/> null means to the end.</summary>
public readonly record struct BlobRange(long Offset, long? Length = null);

/// <summary>What a write returns.</summary>
public sealed record BlobWriteResult(string ETag, DateTimeOffset LastModified);

/// <summary>What an append returns: the offset the block was written at and the new ETag.</summary>
public sealed record BlobAppendResult(string ETag, long AppendOffset, int CommittedBlockCount);

/// <summary>Kinds of blob.</summary>
public enum BlobKind
{
    Block,
    Append,
}

/// <summary>Lease state of a blob.</summary>
public enum BlobLeaseState
{
    Available,
    Leased,
    Expired,
    Breaking,
    Broken,
}

/// <summary>Properties of one blob.</summary>
public sealed record BlobProperties(
    string Container,
    string Name,
    long ContentLength,
    string ETag,
    DateTimeOffset LastModified,
    string? ContentType,
    BlobKind Kind,
    BlobLeaseState LeaseState,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// An open blob read. Dispose it to release the connection or file handle.
/// <see cref="Properties"/> describes the whole blob; <see cref="Content"/> yields the requested range.
/// </summary>
public sealed class BlobDownload : IAsyncDisposable, IDisposable
{
    /// <summary>Wraps an open content stream.</summary>
    public BlobDownload(BlobProperties properties, Stream content, BlobRange? range)
    {
        Properties = properties;
        Content = content;
        Range = range;
    }

    /// <summary>Properties of the whole blob at the time of the read.</summary>
    public BlobProperties Properties { get; }

    /// <summary>The bytes, streamed.</summary>
    public Stream Content { get; }

    /// <summary>The range that was asked for, if any.</summary>
    public BlobRange? Range { get; }

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>Listing options: a name prefix, and a delimiter to list one "folder" level.</summary>
public sealed record BlobListOptions(string? Prefix = null, string? Delimiter = null, int? PageSize = null, bool IncludeMetadata = false);

/// <summary>One listed blob.</summary>
public sealed record BlobItem(string Name, long ContentLength, string ETag, DateTimeOffset LastModified, string? ContentType, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>One page of a listing: blobs, "folder" prefixes (with a delimiter), and where to go on.</summary>
public sealed record BlobPage(IReadOnlyList<BlobItem> Blobs, IReadOnlyList<string> Prefixes, string? ContinuationToken);
