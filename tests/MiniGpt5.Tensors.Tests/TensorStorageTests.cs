using MiniGpt5.Tensors;

namespace MiniGpt5.Tensors.Tests;

public sealed class TensorStorageTests
{
    [Fact]
    public void Native_storage_is_aligned_zeroed_and_freed_by_the_last_release()
    {
        var storage = new NativeStorage(1000);
        Assert.Equal(0, storage.Pointer % NativeStorage.Alignment);
        Assert.All(storage.AsBytes().ToArray(), b => Assert.Equal(0, b));

        storage.Retain();
        storage.Release();
        Assert.Equal(1, storage.ReferenceCount);
        storage.Release();

        Assert.Equal(0, storage.ReferenceCount);
        Assert.Throws<ObjectDisposedException>(() => storage.AsBytes());
        Assert.Throws<ObjectDisposedException>(storage.Retain);
        Assert.Throws<InvalidOperationException>(storage.Release);
    }

    [Fact]
    public void Huge_page_storage_is_aligned_to_huge_pages_when_large_and_usable_at_any_size()
    {
        const long HugePage = 2 << 20;
        foreach (var (size, alignment) in new[] { (3 * HugePage + 5, OperatingSystem.IsLinux() ? HugePage : NativeStorage.Alignment), (1000L, NativeStorage.Alignment) })
        {
            var storage = new NativeStorage(size, zero: true, hugePages: true);
            try
            {
                Assert.Equal(0, storage.Pointer % alignment);
                Assert.Equal(size, storage.ByteLength);
                var bytes = storage.AsBytes();
                Assert.Equal(-1, bytes.IndexOfAnyExcept((byte)0));
                bytes[^1] = 7;
                Assert.Equal(7, storage.AsBytes()[^1]);
            }
            finally
            {
                storage.Release();
            }
        }
    }

    [Fact]
    public void Native_storage_counts_live_bytes_and_keeps_a_high_water_mark()
    {
        // Other tests allocate and free concurrently, so only bounds that hold whatever they do are asserted: while our
        // 64 MiB block lives it is part of LiveBytes, and the peak since the reset cannot be below it.
        const long Size = 64L << 20;
        NativeStorage.ResetPeakBytes();
        var storage = new NativeStorage(Size, zero: false);
        try
        {
            Assert.True(NativeStorage.LiveBytes >= Size, $"live {NativeStorage.LiveBytes}");
            Assert.True(NativeStorage.PeakBytes >= Size, $"peak {NativeStorage.PeakBytes}");
        }
        finally
        {
            storage.Release();
        }

        Assert.True(NativeStorage.PeakBytes >= Size, $"peak after free {NativeStorage.PeakBytes}");
        Assert.True(NativeStorage.LiveBytes >= 0);
    }

    [Theory]
    [InlineData(DType.Float32, 4, "F32")]
    [InlineData(DType.Float16, 2, "F16")]
    [InlineData(DType.BFloat16, 2, "BF16")]
    [InlineData(DType.Int64, 8, "I64")]
    [InlineData(DType.Bool, 1, "BOOL")]
    public void Dtype_sizes_and_safetensors_names_round_trip(DType dtype, int size, string name)
    {
        Assert.Equal(size, dtype.SizeOf());
        Assert.Equal(name, dtype.SafetensorsName());
        Assert.True(DTypeInfo.TryParseSafetensorsName(name, out var parsed));
        Assert.Equal(dtype, parsed);
    }

    [Fact]
    public void Unknown_safetensors_dtype_is_refused()
    {
        Assert.False(DTypeInfo.TryParseSafetensorsName("F8_E4M3", out _));
    }
}
