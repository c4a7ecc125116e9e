using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MiniGpt5.Tensors;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// This machine's memory read bandwidth as a decode loop sees it: a buffer much larger than the caches, in the same
/// huge-page-advised memory the LLM's weights are copied into, read once per pass with SIMD on the given threads
/// (contiguous parts, like a GEMV splits its weight rows); best of several passes.
/// </summary>
internal static class MemoryBandwidth
{
    /// <summary>Where sums go, so the reads cannot be optimised away.</summary>
    private static ulong _sink;

    /// <summary>Bytes per second of the best of <paramref name="passes"/> reads of a <paramref name="bytes"/> buffer (at most 2 GiB).</summary>
    public static double Measure(int bytes, int threads, int passes, CancellationToken cancellationToken)
    {
        bytes -= bytes % 4096;
        var buffer = new NativeStorage(bytes, zero: false, hugePages: true);
        try
        {
            return Measure(buffer, threads, passes, cancellationToken);
        }
        finally
        {
            buffer.Release();
        }
    }

    private static double Measure(NativeStorage buffer, int threads, int passes, CancellationToken cancellationToken)
    {
        var bytes = (int)buffer.ByteLength;

        // Touch every page (and give it non-zero content) before timing.
        buffer.AsBytes().Fill(1);
        var best = double.MaxValue;
        for (var pass = 0; pass < passes; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
            {
                var from = (int)((long)bytes * part / threads);
                var to = (int)((long)bytes * (part + 1) / threads);
                Interlocked.Add(ref _sink, Sum(buffer.AsBytes().Slice(from, to - from)));
            });
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return bytes / best;
    }

    /// <summary>Adds up the bytes as 64-bit lanes, with the widest vectors the machine accelerates (so the ceiling is
    /// the fastest read this machine does, not a slower loop's).</summary>
    private static ulong Sum(ReadOnlySpan<byte> bytes)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return SumNarrow(bytes);
        }

        var vectors = MemoryMarshal.Cast<byte, Vector512<ulong>>(bytes);
        Vector512<ulong> a = default, b = default, c = default, d = default;
        var i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i];
            b += vectors[i + 1];
            c += vectors[i + 2];
            d += vectors[i + 3];
        }

        for (; i < vectors.Length; i++)
        {
            a += vectors[i];
        }

        return Vector512.Sum(a + b + c + d);
    }

    private static ulong SumNarrow(ReadOnlySpan<byte> bytes)
    {
        var vectors = MemoryMarshal.Cast<byte, Vector<ulong>>(bytes);
        Vector<ulong> a = Vector<ulong>.Zero, b = Vector<ulong>.Zero, c = Vector<ulong>.Zero, d = Vector<ulong>.Zero;
        var i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i];
            b += vectors[i + 1];
            c += vectors[i + 2];
            d += vectors[i + 3];
        }

        for (; i < vectors.Length; i++)
        {
            a += vectors[i];
        }

        return Vector.Sum(a + b + c + d);
    }
}
