using MiniGpt5.Tensors.Cuda.Memory;

namespace MiniGpt5.Tensors.Cuda.Tests.Memory;

public sealed class CachingDeviceAllocatorTests
{
    private const nint StreamA = 11;
    private const nint StreamB = 22;

    [Fact]
    public void A_returned_block_is_reused_on_the_same_stream_without_a_driver_call()
    {
        var memory = new FakeDeviceMemory(1L << 30);
        using var pool = new CachingDeviceAllocator(memory);

        var first = pool.Rent(3000, StreamA);
        pool.Return(first, StreamA);
        var second = pool.Rent(2900, StreamA);

        Assert.Same(first, second);
        Assert.Equal(1, memory.AllocateCalls);
        Assert.Equal(1, pool.Statistics.CacheHits);
        Assert.Equal(2900, second.RequestedBytes);
    }

    [Fact]
    public void Another_stream_waits_for_the_return_event_before_reusing_a_block()
    {
        var memory = new FakeDeviceMemory(1L << 30);
        using var pool = new CachingDeviceAllocator(memory);

        var block = pool.Rent(4096, StreamA);
        pool.Return(block, StreamA);

        // Work on stream A may still read the block: stream B must get fresh memory.
        var other = pool.Rent(4096, StreamB);
        Assert.NotSame(block, other);
        Assert.Equal(2, memory.AllocateCalls);

        memory.CompleteAll();
        var reused = pool.Rent(4096, StreamB);
        Assert.Same(block, reused);
        Assert.Equal(2, memory.AllocateCalls);
    }

    [Fact]
    public void Statistics_track_in_use_cached_and_peaks()
    {
        var memory = new FakeDeviceMemory(1L << 30);
        using var pool = new CachingDeviceAllocator(memory);

        var a = pool.Rent(1000, StreamA);         // class 1024
        var b = pool.Rent(3L << 20, StreamA);     // class 4 MiB
        var stats = pool.Statistics;
        Assert.Equal(1024 + (4L << 20), stats.InUseBytes);
        Assert.Equal(1000 + (3L << 20), stats.RequestedBytes);
        Assert.Equal(0, stats.CachedBytes);

        pool.Return(b, StreamA);
        stats = pool.Statistics;
        Assert.Equal(1024, stats.InUseBytes);
        Assert.Equal(4L << 20, stats.CachedBytes);
        Assert.Equal(1024 + (4L << 20), stats.PeakInUseBytes);
        Assert.Equal(stats.InUseBytes + stats.CachedBytes, stats.ReservedBytes);

        pool.Return(a, StreamA);
        memory.CompleteAll();
        Assert.Equal(1024 + (4L << 20), pool.Trim());
        stats = pool.Statistics;
        Assert.Equal(0, stats.ReservedBytes);
        Assert.Equal(1024 + (4L << 20), stats.PeakReservedBytes);
        Assert.Equal(0, memory.Allocated);
        Assert.Equal(0, memory.LiveEvents);
    }

    [Fact]
    public void Trim_keeps_blocks_whose_work_has_not_finished()
    {
        var memory = new FakeDeviceMemory(1L << 30);
        using var pool = new CachingDeviceAllocator(memory);
        pool.Return(pool.Rent(4096, StreamA), StreamA);

        Assert.Equal(0, pool.Trim());
        Assert.Equal(4096, pool.Statistics.CachedBytes);
    }

    [Fact]
    public void A_small_request_does_not_take_a_big_cached_block()
    {
        var memory = new FakeDeviceMemory(1L << 30);
        using var pool = new CachingDeviceAllocator(memory);
        var big = pool.Rent(64L << 20, StreamA);
        pool.Return(big, StreamA);

        var small = pool.Rent(256, StreamA);

        Assert.NotSame(big, small);
        Assert.Equal(64L << 20, pool.Statistics.CachedBytes);
    }

    [Fact]
    public void When_the_driver_is_full_the_cache_is_given_back_and_the_allocation_retried()
    {
        var memory = new FakeDeviceMemory(10L << 20);
        using var pool = new CachingDeviceAllocator(memory);
        pool.Return(pool.Rent(6L << 20, StreamA), StreamA);      // 6 MiB cached

        var block = pool.Rent(8L << 20, StreamA);                 // needs 8 MiB: only fits once the cache is freed

        Assert.Equal(8L << 20, block.Size);
        var stats = pool.Statistics;
        Assert.Equal(1, stats.OutOfMemoryRetries);
        Assert.Equal(0, stats.CachedBytes);
    }

    [Fact]
    public void Out_of_memory_names_the_request_and_carries_statistics()
    {
        var memory = new FakeDeviceMemory(10L << 20);
        using var pool = new CachingDeviceAllocator(memory);
        var held = pool.Rent(6L << 20, StreamA);

        var error = Assert.Throws<CudaOutOfMemoryException>(() => pool.Rent(8L << 20, StreamA));

        Assert.Contains((8L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Equal(6L << 20, error.Statistics!.InUseBytes);
        pool.Return(held, StreamA);
    }

    [Fact]
    public void Returning_twice_is_an_error()
    {
        var memory = new FakeDeviceMemory(1L << 30);
        using var pool = new CachingDeviceAllocator(memory);
        var block = pool.Rent(100, StreamA);
        pool.Return(block, StreamA);

        Assert.Throws<InvalidOperationException>(() => pool.Return(block, StreamA));
    }

    [Fact]
    public void Dispose_frees_the_cache_and_later_returns_free_directly()
    {
        var memory = new FakeDeviceMemory(1L << 30);
        var pool = new CachingDeviceAllocator(memory);
        var kept = pool.Rent(100, StreamA);
        pool.Return(pool.Rent(5000, StreamA), StreamA);

        pool.Dispose();
        Assert.Equal(512, memory.Allocated);
        pool.Return(kept, StreamA);

        Assert.Equal(0, memory.Allocated);
        Assert.Equal(0, memory.LiveEvents);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent(1, StreamA));
    }

    [Fact]
    public void Alternating_sizes_reach_a_steady_state_with_no_new_driver_allocations()
    {
        var memory = new FakeDeviceMemory(1L << 30);
        using var pool = new CachingDeviceAllocator(memory);
        long[] sizes = [4096, 1 << 20, 3 << 20, 77, 12L << 20, 4000];

        for (var step = 0; step < 3; step++)
        {
            var blocks = sizes.Select(s => pool.Rent(s, StreamA)).ToList();
            blocks.ForEach(b => pool.Return(b, StreamA));
            if (step == 0)
            {
                Assert.Equal(sizes.Length, memory.AllocateCalls);
            }
        }

        Assert.Equal(sizes.Length, memory.AllocateCalls);
        Assert.Equal(2 * sizes.Length, pool.Statistics.CacheHits);
    }
}
