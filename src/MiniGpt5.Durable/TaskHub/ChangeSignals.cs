using System.Collections.Concurrent;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// In-process wake-ups keyed by name (a queue, an instance). A poller that found a queue empty backs off, but a
/// sender in the same process (an activity completing, a client starting an orchestration) wakes it at once, so
/// a single-process hub is both cheap when idle and fast when busy. Versioned, so a wake-up that lands between
/// "found nothing" and "start waiting" is not lost.
/// </summary>
internal sealed class ChangeSignals
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>The current version of <paramref name="key"/>; pass it to <see cref="WaitAsync"/>.</summary>
    public long Version(string key) => Volatile.Read(ref Get(key).Version);

    public void Notify(string key)
    {
        var slot = Get(key);
        TaskCompletionSource waiter;
        lock (slot)
        {
            slot.Version++;
            waiter = slot.Waiter;
            slot.Waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        waiter.TrySetResult();
    }

    /// <summary>Waits until <paramref name="key"/> changes after <paramref name="sinceVersion"/>, or the timeout passes. True when signalled.</summary>
    public async Task<bool> WaitAsync(string key, long sinceVersion, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var slot = Get(key);
        Task waiter;
        lock (slot)
        {
            if (slot.Version != sinceVersion)
            {
                return true;
            }

            waiter = slot.Waiter.Task;
        }

        try
        {
            await waiter.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private Slot Get(string key) => _slots.GetOrAdd(key, static _ => new Slot());

    private sealed class Slot
    {
#pragma warning disable CA1051, SA1401 // a plain field, so Volatile.Read can take it by reference
        public long Version;
#pragma warning restore CA1051, SA1401

        public TaskCompletionSource Waiter { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
