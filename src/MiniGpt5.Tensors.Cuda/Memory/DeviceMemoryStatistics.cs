namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>A snapshot of a device memory pool's accounting (all sizes in bytes).</summary>
/// <param name="InUseBytes">Bytes in blocks currently rented (size classes, not requests).</param>
/// <param name="RequestedBytes">Bytes the owners of rented blocks asked for; the difference to <paramref name="InUseBytes"/> is rounding waste.</param>
/// <param name="CachedBytes">Bytes in returned blocks kept for reuse.</param>
/// <param name="PeakInUseBytes">Most bytes ever rented at once.</param>
/// <param name="PeakReservedBytes">Most bytes ever held from the driver at once (in use plus cached).</param>
/// <param name="DriverAllocations">cuMemAlloc calls made.</param>
/// <param name="CacheHits">Rents served from the cache.</param>
/// <param name="OutOfMemoryRetries">Times the cache was emptied to satisfy a rent the driver first refused.</param>
public sealed record DeviceMemoryStatistics(
    long InUseBytes,
    long RequestedBytes,
    long CachedBytes,
    long PeakInUseBytes,
    long PeakReservedBytes,
    long DriverAllocations,
    long CacheHits,
    long OutOfMemoryRetries)
{
    /// <summary>Bytes held from the driver: in use plus cached.</summary>
    public long ReservedBytes => InUseBytes + CachedBytes;
}
