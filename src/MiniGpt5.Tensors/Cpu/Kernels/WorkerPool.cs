using System.Runtime.ExceptionServices;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Persistent worker threads for the CPU kernels (one fewer than the thread count: the calling thread works too).
/// A job is a range of chunks that every participant claims one at a time with an atomic counter, so a core that
/// another process steals simply claims fewer chunks. Compared with Parallel.For this costs no task allocations,
/// never injects threads beyond the count, and lets a worker that wakes late find the job already finished and go
/// back to sleep without the caller waiting for it.
/// <para>One job runs at a time: a second caller that finds the pool busy (another request on another thread)
/// runs its loop inline instead of queueing, so the cores are never oversubscribed, and a kernel called from
/// inside a job runs inline too (no nested parallelism).</para>
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    [ThreadStatic]
    private static bool _inJob;

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ManualResetEventSlim _done = new(false, spinCount: 200);
    private readonly Lock _owner = new();
    private volatile Job? _job;
    private volatile bool _stopping;

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
            _wake.Release(Math.Min(_threads.Length, chunks - 1));
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
        while (true)
        {
            _wake.Wait();
            if (_stopping)
            {
                return;
            }

            // A late wake-up may find the job finished (or gone): claiming then fails and the worker sleeps again.
            if (_job is { } job)
            {
                Participate(job);
            }
        }
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
