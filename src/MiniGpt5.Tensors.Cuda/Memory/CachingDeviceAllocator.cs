namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>
/// A caching device allocator with explicit ownership. <see cref="Rent"/> hands out a <see cref="DeviceBlock"/>
/// rounded to its size class (<see cref="SizeClasses"/>), from the cache when it can; <see cref="Return"/> puts it
/// back. Reuse is stream-ordered: a block returned on stream S is reused on S at once (the stream runs the old and
/// the new owner's work in order), and on another stream only once the event recorded at return has completed.
/// When the driver refuses an allocation the cache is given back and the allocation retried once; after that a
/// <see cref="CudaOutOfMemoryException"/> carries the statistics. Thread-safe.
/// </summary>
internal sealed class CachingDeviceAllocator : IDisposable
{
    private readonly IDeviceMemory _memory;
    private readonly Lock _gate = new();

    // Cached blocks by size class, oldest first.
    private readonly SortedDictionary<long, List<DeviceBlock>> _cache = [];
    private long _inUse;
    private long _requested;
    private long _cached;
    private long _peakInUse;
    private long _peakReserved;
    private long _driverAllocations;
    private long _cacheHits;
    private long _outOfMemoryRetries;
    private bool _disposed;

    public CachingDeviceAllocator(IDeviceMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        _memory = memory;
    }

    /// <summary>Current accounting.</summary>
    public DeviceMemoryStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return Snapshot();
            }
        }
    }

    /// <summary>Rents a block of at least <paramref name="bytes"/> for work on <paramref name="stream"/>.</summary>
    /// <exception cref="CudaOutOfMemoryException">The device is full even after the cache was given back.</exception>
    public DeviceBlock Rent(long bytes, nint stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var sizeClass = SizeClasses.Round(bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var block = TakeCached(sizeClass, stream);
            if (block is not null)
            {
                _cacheHits++;
            }
            else
            {
                block = AllocateFromDriver(bytes, sizeClass);
            }

            block.InUse = true;
            block.RequestedBytes = bytes;
            block.Stream = stream;
            _inUse += block.Size;
            _requested += bytes;
            _peakInUse = Math.Max(_peakInUse, _inUse);
            _peakReserved = Math.Max(_peakReserved, _inUse + _cached);
            return block;
        }
    }

    /// <summary>Gives a block back. Work already queued on <paramref name="stream"/> may still be using it; the
    /// block is reused only in stream order.</summary>
    public void Return(DeviceBlock block, nint stream)
    {
        ArgumentNullException.ThrowIfNull(block);
        lock (_gate)
        {
            if (!block.InUse)
            {
                throw new InvalidOperationException($"Device block at 0x{block.Address:x} ({block.Size} bytes) was returned twice.");
            }

            block.InUse = false;
            _inUse -= block.Size;
            _requested -= block.RequestedBytes;
            block.RequestedBytes = 0;
            if (_disposed)
            {
                // The pool is gone; the owner outlived it. Free directly rather than leak.
                _memory.Free(block.Address);
                return;
            }

            block.Stream = stream;
            block.ReturnEvent = _memory.RecordEvent(stream);
            if (!_cache.TryGetValue(block.Size, out var list))
            {
                list = [];
                _cache.Add(block.Size, list);
            }

            list.Add(block);
            _cached += block.Size;
        }
    }

    /// <summary>Frees every cached block whose work has completed (all of them after a device synchronisation).
    /// Returns the bytes given back to the driver.</summary>
    public long Trim()
    {
        lock (_gate)
        {
            return ReleaseCached(requireComplete: true);
        }
    }

    /// <summary>Frees the cache. Blocks still rented are freed when their owners return them.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            ReleaseCached(requireComplete: false);
            _disposed = true;
        }
    }

    private DeviceBlock? TakeCached(long sizeClass, nint stream)
    {
        // Smallest class that may serve; prefer a block last used on this stream (no wait), else one whose
        // return event has completed.
        foreach (var (size, list) in _cache)
        {
            if (size < sizeClass)
            {
                continue;
            }

            if (!SizeClasses.CanServe(size, sizeClass))
            {
                break;
            }

            var index = list.FindIndex(b => b.Stream == stream);
            if (index < 0)
            {
                index = list.FindIndex(b => _memory.IsComplete(b.ReturnEvent));
            }

            if (index >= 0)
            {
                var block = list[index];
                list.RemoveAt(index);
                if (list.Count == 0)
                {
                    _cache.Remove(size);
                }

                _cached -= block.Size;
                _memory.DestroyEvent(block.ReturnEvent);
                block.ReturnEvent = 0;
                return block;
            }
        }

        return null;
    }

    private DeviceBlock AllocateFromDriver(long bytes, long sizeClass)
    {
        if (!_memory.TryAllocate(sizeClass, out var address))
        {
            _outOfMemoryRetries++;
            ReleaseCached(requireComplete: false);
            if (!_memory.TryAllocate(sizeClass, out address))
            {
                var stats = Snapshot();
                throw new CudaOutOfMemoryException(
                    $"CUDA out of memory: cannot allocate {bytes} bytes (size class {sizeClass}); {stats.InUseBytes} bytes are in use by live tensors " +
                    $"(peak {stats.PeakInUseBytes}). Free tensors sooner (TensorScope), lower the batch size, or use a device with more memory.")
                {
                    Statistics = stats,
                };
            }
        }

        _driverAllocations++;
        return new DeviceBlock(address, sizeClass);
    }

    private long ReleaseCached(bool requireComplete)
    {
        long released = 0;
        foreach (var size in _cache.Keys.ToList())
        {
            var list = _cache[size];
            for (var i = list.Count - 1; i >= 0; i--)
            {
                var block = list[i];
                if (requireComplete && !_memory.IsComplete(block.ReturnEvent))
                {
                    continue;
                }

                // cuMemFree synchronises, so a block still in use by queued work is safe to free here.
                _memory.DestroyEvent(block.ReturnEvent);
                _memory.Free(block.Address);
                list.RemoveAt(i);
                _cached -= block.Size;
                released += block.Size;
            }

            if (list.Count == 0)
            {
                _cache.Remove(size);
            }
        }

        return released;
    }

    private DeviceMemoryStatistics Snapshot() =>
        new(_inUse, _requested, _cached, _peakInUse, _peakReserved, _driverAllocations, _cacheHits, _outOfMemoryRetries);
}
