namespace MiniGpt5.Storage.Local;

/// <summary>Settings of the local file-system store.</summary>
public sealed record LocalStorageOptions
{
    /// <summary>The clock behind lease expiry, message visibility and TTL (tests pass a manual one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Flush every committed write to the disk itself (fsync), not only to the OS. Off by default: state already
    /// survives a process crash or restart without it; turn it on to survive power loss too, at some cost per write.
    /// </summary>
    public bool FlushToDisk { get; init; }

    /// <summary>How long an operation waits for a lock another process holds before it fails.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
