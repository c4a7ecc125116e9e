using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Persistent worker threads for the CPU kernels (one fewer than the thread count: the calling thread works too).
/// A job is a range of chunks that every participant claims one at a time with an atomic counter, so a core that
/// another process steals simply claims fewer chunks. Compared with Parallel.For this costs no task allocations,
/// never injects threads beyond the count, and lets a worker that wakes late find the job already finished and go
/// back to sleep without the caller waiting for it.
/// <para>A worker that finishes a job spins for <see cref="SpinMicroseconds"/> before it sleeps: an LLM decode step
/// posts a short job every few dozen microseconds, and a sleeping worker's wake-up (a futex round trip, slower in a
/// VM) would often arrive after the caller had done most chunks alone. The caller only signals workers that sleep.</para>
/// <para>One job runs at a time: a second caller that finds the pool busy (another request on another thread)
/// runs its loop inline instead of queueing, so the cores are never oversubscribed, and a kernel called from
/// inside a job runs inline too (no nested parallelism).</para>
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>How long an idle worker polls for the next job before it blocks.</summary>
    private const int SpinMicroseconds = 200;

    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    [ThreadStatic]
    private static bool _inJob;

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ManualResetEventSlim _done = new(false, spinCount: 200);
    private readonly Lock _owner = new();
    private volatile Job? _job;
    private volatile bool _stopping;

    /// <summary>Jobs posted so far; workers compare it with the last one they saw.</summary>
    private long _posted;

    /// <summary>Workers blocked (or about to block) on <see cref="_wake"/>.</summary>
    private int _sleepers;

    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _threads = new Thread[threads - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"minigpt5-cpu-{i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads taking part in a job, the caller included.</summary>
    public int Threads { get; }

    /// <summary>True on a thread that is running a chunk of a job (loops started there run inline).</summary>
    public static bool InJob => _inJob;

    /// <summary>Runs body(chunk) for every chunk in [0, chunks) on all threads and returns when all are done, or
    /// returns false without running anything when another job holds the pool.</summary>
    public bool TryRun(int chunks, Action<int> body)
    {
        if (!_owner.TryEnter())
        {
            return false;
        }

        try
        {
            var job = new Job(body, chunks);
            _job = job;
            // A full fence: a worker that registers as a sleeper after this either sees the new count or is counted.
            Interlocked.Increment(ref _posted);
            var sleeping = Math.Min(Volatile.Read(ref _sleepers), chunks - 1);
            if (sleeping > 0)
            {
                _wake.Release(sleeping);
            }

            Participate(job);

            // The event may still be set by the last chunk of an earlier job (its completer can run after that
            // job's caller saw the count and left), so the count decides; resetting then re-checking cannot lose
            // the real signal because the completer counts before it sets.
            while (Volatile.Read(ref job.Completed) < chunks)
            {
                _done.Wait();
                _done.Reset();
            }

            _job = null;
            job.Error?.Throw();
            return true;
        }
        finally
        {
            _owner.Exit();
        }
    }

    /// <summary>Waits for a running job, then stops the workers.</summary>
    public void Dispose()
    {
        using var owner = _owner.EnterScope();
        _stopping = true;
        _wake.Release(_threads.Length);
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _wake.Dispose();
        _done.Dispose();
    }

    private void WorkerLoop()
    {
        _inJob = true;
        long seen = 0;
        while (true)
        {
            if (!SpinForJob(seen))
            {
                Interlocked.Increment(ref _sleepers);
                if (Volatile.Read(ref _posted) == seen && !_stopping)
                {
                    _wake.Wait();
                }

                Interlocked.Decrement(ref _sleepers);
            }

            if (_stopping)
            {
                return;
            }

            // A late or surplus wake-up may find the job finished (or gone): claiming then fails and the loop goes on.
            seen = Volatile.Read(ref _posted);
            if (_job is { } job)
            {
                Participate(job);
            }
        }
    }

    /// <summary>Polls for a job newer than <paramref name="seen"/> for up to <see cref="SpinMicroseconds"/>.</summary>
    private bool SpinForJob(long seen)
    {
        var deadline = Stopwatch.GetTimestamp() + SpinTicks;
        while (Volatile.Read(ref _posted) == seen && !_stopping)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            Thread.SpinWait(16);
        }

        return true;
    }

    private void Participate(Job job)
    {
        var wasInJob = _inJob;
        _inJob = true;
        try
        {
            int chunk;
            while ((chunk = Interlocked.Increment(ref job.Next) - 1) < job.Chunks)
            {
                try
                {
                    job.Body(chunk);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref job.Error, ExceptionDispatchInfo.Capture(e), null);
                }

                if (Interlocked.Increment(ref job.Completed) == job.Chunks)
                {
                    _done.Set();
                }
            }
        }
        finally
        {
            _inJob = wasInJob;
        }
    }

    /// <summary>One parallel loop: its body, chunk count, and the claim and completion counters.</summary>
    private sealed class Job(Action<int> body, int chunks)
    {
        public readonly Action<int> Body = body;
        public readonly int Chunks = chunks;
        public int Next;
        public int Completed;
        public ExceptionDispatchInfo? Error;
    }
}
