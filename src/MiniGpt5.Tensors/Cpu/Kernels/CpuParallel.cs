namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Splits a loop over the engine's worker threads when it is worth it, and runs it inline when it is not
/// (small loops, nested loops, a pool busy with another caller's job, or inside a <see cref="Serial"/> region).</summary>
internal static class CpuParallel
{
    /// <summary>Below this many (estimated) cost units a loop stays on the calling thread; a fork/join costs ~10 µs.</summary>
    private const double MinimumParallelWork = 64 * 1024;

    private static readonly Lock Gate = new();
    private static WorkerPool _pool = new(Math.Max(1, Environment.ProcessorCount));

    [ThreadStatic]
    private static bool _serial;

    /// <summary>Threads a parallel loop uses, the caller included.</summary>
    public static int Workers => _pool.Threads;

    /// <summary>Replaces the worker pool with one of <paramref name="threads"/> threads (waits for a running job).</summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (Gate)
        {
            if (threads == _pool.Threads)
            {
                return;
            }

            var old = _pool;
            _pool = new WorkerPool(threads);
            old.Dispose();
        }
    }

    /// <summary>Makes loops on this thread run inline until disposed (used when the caller already parallelises an
    /// outer loop, e.g. over a batch of small matrices).</summary>
    public static SerialRegion Serial()
    {
        var previous = _serial;
        _serial = true;
        return new SerialRegion(previous);
    }

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) in contiguous ranges, in parallel when
    /// count × costPerItem is large enough. About four ranges per thread balance a core that is busy elsewhere.</summary>
    public static void For(long count, double costPerItem, Action<long, long> body) =>
        For(count, costPerItem, Workers * 4, body);

    /// <summary>As <see cref="For(long, double, Action{long, long})"/>, with at most <paramref name="maxChunks"/> ranges.</summary>
    public static void For(long count, double costPerItem, int maxChunks, Action<long, long> body)
    {
        if (count <= 0)
        {
            return;
        }

        var pool = _pool;
        if (_serial || WorkerPool.InJob || pool.Threads == 1 || count == 1 || count * costPerItem < MinimumParallelWork)
        {
            body(0, count);
            return;
        }

        var chunks = (int)Math.Min(count, Math.Max(2, maxChunks));
        var ran = pool.TryRun(chunks, chunk =>
        {
            var start = count * chunk / chunks;
            var end = count * (chunk + 1) / chunks;
            if (end > start)
            {
                body(start, end);
            }
        });
        if (!ran)
        {
            body(0, count);
        }
    }

    /// <summary>Ends a <see cref="Serial"/> region.</summary>
    internal readonly struct SerialRegion(bool previous) : IDisposable
    {
        public void Dispose() => _serial = previous;
    }
}
