using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// This machine's memory read bandwidth as a decode loop sees it: a buffer much larger than the caches, read once
/// per pass with SIMD on the given threads (contiguous parts, like a GEMV splits its weight rows); best of several passes.
/// </summary>
internal static class MemoryBandwidth
{
    /// <summary>Where sums go, so the reads cannot be optimised away.</summary>
    private static ulong _sink;

    /// <summary>Bytes per second of the best of <paramref name="passes"/> reads of a <paramref name="bytes"/> buffer (at most 2 GiB).</summary>
    public static double Measure(int bytes, int threads, int passes, CancellationToken cancellationToken)
    {
        bytes -= bytes % 4096;
        var buffer = GC.AllocateUninitializedArray<byte>(bytes);

        // Touch every page (and give it non-zero content) before timing.
        buffer.AsSpan().Fill(1);
        var best = double.MaxValue;
        for (var pass = 0; pass < passes; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
            {
                var from = (int)((long)bytes * part / threads);
                var to = (int)((long)bytes * (part + 1) / threads);
                Interlocked.Add(ref _sink, Sum(buffer.AsSpan(from, to - from)));
            });
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return bytes / best;
    }

    private static ulong Sum(ReadOnlySpan<byte> bytes)
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
