using MiniGpt5.Tensors.Cuda.Memory;

namespace MiniGpt5.Tensors.Cuda.Tests.Memory;

public sealed class SizeClassesTests
{
    [Theory]
    [InlineData(0, 512)]
    [InlineData(1, 512)]
    [InlineData(512, 512)]
    [InlineData(513, 1024)]
    [InlineData(1 << 20, 1 << 20)]
    // (1 MiB, 2 MiB]: quarter steps of 256 KiB, then the 2 MiB granule.
    [InlineData((1 << 20) + 1, 2 << 20)]
    // (4 MiB, 8 MiB]: steps of 1 MiB -> 5 MiB -> 6 MiB (2 MiB granule).
    [InlineData((4 << 20) + 1, 6 << 20)]
    [InlineData(7L << 20, 8L << 20)]
    // (64 MiB, 128 MiB]: steps of 16 MiB.
    [InlineData((64L << 20) + 1, 80L << 20)]
    [InlineData(100L << 20, 112L << 20)]
    public void Round_gives_the_documented_class(long bytes, long expected) =>
        Assert.Equal(expected, SizeClasses.Round(bytes));

    [Fact]
    public void Rounding_never_wastes_more_than_a_quarter_of_a_large_request()
    {
        for (var bytes = (8L << 20) + 1; bytes < 4L << 30; bytes = bytes * 9 / 7)
        {
            var rounded = SizeClasses.Round(bytes);
            Assert.InRange(rounded, bytes, bytes + (bytes / 4) + SizeClasses.LargeGranule);
            Assert.Equal(0, rounded % SizeClasses.LargeGranule);
        }
    }

    [Fact]
    public void A_big_cached_block_does_not_serve_a_small_request()
    {
        Assert.False(SizeClasses.CanServe(64L << 20, SizeClasses.Round(1024)));
        Assert.False(SizeClasses.CanServe(64L << 20, SizeClasses.Round(8L << 20)));
        Assert.True(SizeClasses.CanServe(80L << 20, SizeClasses.Round(64L << 20)));
        Assert.False(SizeClasses.CanServe(512, 1024));
    }
}
