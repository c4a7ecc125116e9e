using MiniGpt5.Tensors.Cuda.Kernels;

namespace MiniGpt5.Tensors.Cuda.Tests.Kernels;

public sealed class LaunchConfigTests
{
    [Theory]
    [InlineData(0, 132, 1u)]
    [InlineData(1, 132, 1u)]
    [InlineData(256, 132, 1u)]
    [InlineData(257, 132, 2u)]
    [InlineData(1_000_000, 132, 132u * 8)]
    [InlineData(1_000_000_000_000, 16, 128u)]
    public void Grid_stride_launches_cover_small_inputs_and_cap_large_ones(long elements, int sms, uint blocks)
    {
        var config = LaunchConfig.GridStride(elements, sms);

        Assert.Equal(blocks, config.GridX);
        Assert.Equal(256u, config.BlockX);
        Assert.True((long)config.GridX * config.BlockX >= Math.Min(elements, (long)sms * 8 * 256));
    }

    [Theory]
    [InlineData(10, 1, 32u)]
    [InlineData(10, 40, 64u)]
    [InlineData(10, 4096, 1024u)]
    [InlineData(10, 0, 32u)]
    public void Row_launches_use_one_block_per_row_and_a_warp_multiple(long rows, long columns, uint threads)
    {
        var config = LaunchConfig.Rows(rows, columns);

        Assert.Equal((uint)rows, config.GridX);
        Assert.Equal(threads, config.BlockX);
        Assert.Equal(0u, config.BlockX % 32);
    }

    [Fact]
    public void Attention_tiles_queries_by_warps_and_spreads_batch_heads_on_y()
    {
        var config = LaunchConfig.Attention(batchHeads: 2 * 32, queries: 4097);

        Assert.Equal(1025u, config.GridX);
        Assert.Equal(64u, config.GridY);
        Assert.Equal(128u, config.BlockX);
        Assert.Throws<CudaOpNotSupportedException>(() => LaunchConfig.Attention(70000, 1));
        Assert.Throws<CudaOpNotSupportedException>(() => LaunchConfig.Rows((long)int.MaxValue + 1, 8));
    }
}
