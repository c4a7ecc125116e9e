namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Splits a loop over all cores when it is worth it, and runs it inline when it is not.</summary>
internal static class CpuParallel
{
    /// <summary>Below this many (estimated) cost units a loop stays on the calling thread; forking costs ~10 µs.</summary>
    private const double MinimumParallelWork = 64 * 1024;

    [ThreadStatic]
    private static bool _serial;

    public static int Workers { get; } = Environment.ProcessorCount;

    /// <summary>Makes loops on this thread run inline until disposed (used when the caller already parallelises an
    /// outer loop, e.g. over a batch of small matrices).</summary>
    public static SerialRegion Serial()
    {
        var previous = _serial;
        _serial = true;
        return new SerialRegion(previous);
    }

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) in contiguous ranges, in parallel when
    /// count × costPerItem is large enough.</summary>
    public static void For(long count, double costPerItem, Action<long, long> body)
    {
        if (count <= 0)
        {
            return;
        }

        if (_serial || Workers == 1 || count == 1 || count * costPerItem < MinimumParallelWork)
        {
            body(0, count);
            return;
        }

        var chunks = (int)Math.Min(count, Workers * 4L);
        Parallel.For(0, chunks, chunk =>
        {
            var start = count * chunk / chunks;
            var end = count * (chunk + 1) / chunks;
            if (end > start)
            {
                body(start, end);
            }
        });
    }

    /// <summary>Ends a <see cref="Serial"/> region.</summary>
    internal readonly struct SerialRegion(bool previous) : IDisposable
    {
        public void Dispose() => _serial = previous;
    }
}
