namespace MiniGpt5.Tensors.Cuda.Kernels;

/// <summary>A kernel launch's grid and block sizes.</summary>
internal readonly record struct LaunchConfig(uint GridX, uint GridY, uint BlockX, uint SharedBytes = 0)
{
    /// <summary>Threads per block of the elementwise kernels.</summary>
    public const int ElementwiseThreads = 256;

    /// <summary>Blocks per multiprocessor the grid-stride kernels are given (enough to hide latency, few enough
    /// that each thread loops over several elements).</summary>
    public const int BlocksPerMultiprocessor = 8;

    /// <summary>Query rows (warps) per attention block (ATT_WARPS in attention.cu).</summary>
    public const int AttentionWarps = 4;

    /// <summary>Largest head dimension the attention kernel takes (ATT_MAX_D in attention.cu).</summary>
    public const int AttentionMaxHeadDim = 128;

    /// <summary>A grid-stride launch over <paramref name="elements"/>: no more blocks than the elements need, and no
    /// more than <see cref="BlocksPerMultiprocessor"/> per multiprocessor.</summary>
    public static LaunchConfig GridStride(long elements, int multiprocessors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elements);
        ArgumentOutOfRangeException.ThrowIfLessThan(multiprocessors, 1);
        var needed = Math.Max(1, (elements + ElementwiseThreads - 1) / ElementwiseThreads);
        var blocks = Math.Min(needed, (long)multiprocessors * BlocksPerMultiprocessor);
        return new LaunchConfig((uint)blocks, 1, ElementwiseThreads);
    }

    /// <summary>One block per row of <paramref name="columns"/> elements: a warp multiple up to 1024 threads, never
    /// more threads than columns need (short rows waste no warps), at least one warp.</summary>
    /// <exception cref="CudaOpNotSupportedException">More rows than a grid dimension holds.</exception>
    public static LaunchConfig Rows(long rows, long columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (rows > int.MaxValue)
        {
            throw new CudaOpNotSupportedException($"The CUDA backend does not implement a row-wise op over {rows} rows (at most {int.MaxValue}).");
        }

        var threads = Math.Clamp((columns + 31) / 32 * 32, 32, 1024);
        return new LaunchConfig((uint)Math.Max(rows, 1), 1, (uint)threads);
    }

    /// <summary>Attention: x = query tiles of <see cref="AttentionWarps"/> rows, y = batch × heads.</summary>
    public static LaunchConfig Attention(long batchHeads, int queries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchHeads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queries, 1);
        if (batchHeads > 65535)
        {
            throw new CudaOpNotSupportedException($"The CUDA backend does not implement ScaledDotProductAttention over {batchHeads} batch×heads (grid y at most 65535).");
        }

        return new LaunchConfig((uint)((queries + AttentionWarps - 1) / AttentionWarps), (uint)batchHeads, AttentionWarps * 32);
    }
}
