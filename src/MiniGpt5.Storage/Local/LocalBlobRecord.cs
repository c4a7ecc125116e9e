namespace MiniGpt5.Storage.Local;

/// <summary>
/// What the local store keeps on disk for one blob: everything but the bytes, which live in an immutable data
/// file named by <see cref="DataFile"/> (append blobs grow theirs in place; <see cref="Length"/> is the truth).
/// The record file is replaced atomically (write a temp file, rename over), so a reader sees the old or the new
/// record, never a mix.
/// </summary>
internal sealed record LocalBlobRecord
{
    public required string Name { get; init; }

    public required BlobKind Kind { get; init; }

    public required long Length { get; init; }

    public required string ETag { get; init; }

    public required DateTimeOffset LastModified { get; init; }

    public string? ContentType { get; init; }

    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>File under the container's data folder holding the bytes.</summary>
    public required string DataFile { get; init; }

    /// <summary>Blocks appended so far (append blobs).</summary>
    public int CommittedBlockCount { get; init; }

    public LocalLeaseRecord? Lease { get; init; }
}

/// <summary>
/// A lease as stored: the state it was put in and the times that move it on. The effective state at a given
/// instant (Leased → Expired, Breaking → Broken) is computed by <see cref="LocalLease"/> from the clock, so no
/// timer has to run.
/// </summary>
internal sealed record LocalLeaseRecord
{
    public required string Id { get; init; }

    /// <summary>Leased, Breaking or Broken (Available is "no record"; Expired is computed).</summary>
    public required BlobLeaseState State { get; init; }

    /// <summary>When a fixed lease ends; null for an infinite lease.</summary>
    public DateTimeOffset? ExpiresOn { get; init; }

    /// <summary>Seconds a fixed lease lasts (a renewal restarts it); -1 for infinite.</summary>
    public int DurationSeconds { get; init; }

    /// <summary>When a breaking lease becomes broken.</summary>
    public DateTimeOffset? BreakOn { get; init; }
}

/// <summary>What a local queue message file holds.</summary>
internal sealed record LocalQueueMessageRecord
{
    public required string Id { get; init; }

    public required string Text { get; init; }

    public required DateTimeOffset InsertedOn { get; init; }

    /// <summary><see cref="DateTimeOffset.MaxValue"/> for a message that never expires.</summary>
    public required DateTimeOffset ExpiresOn { get; init; }

    public required DateTimeOffset NextVisibleOn { get; init; }

    public required long DequeueCount { get; init; }

    public required string PopReceipt { get; init; }

    /// <summary>Bumped on every change; when a crash leaves two files for one message, the higher version wins.</summary>
    public required long Version { get; init; }
}
