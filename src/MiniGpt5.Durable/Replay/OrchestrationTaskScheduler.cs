using System.Collections.Concurrent;

namespace MiniGpt5.Durable.Replay;

/// <summary>
/// Runs an orchestrator's continuations one at a time, in FIFO order, only when the executor drains it, and
/// only on the thread applying history. That is what makes replay deterministic: an <c>await</c> inside the
/// orchestrator captures this scheduler, so completing a durable task queues the continuation here instead of
/// running it on some thread-pool thread. A continuation queued from any other thread means the code awaited
/// something that is not a durable task (<c>Task.Delay</c>, I/O, <c>Task.Run</c>, <c>ConfigureAwait(false)</c>).
/// </summary>
internal sealed class OrchestrationTaskScheduler : TaskScheduler
{
    private readonly ConcurrentQueue<Task> _ready = new();
    private int _ownerThread = -1;
    private int _foreign;

    /// <summary>True once a continuation arrived from outside the executor's thread.</summary>
    public bool SawForeignContinuation => Volatile.Read(ref _foreign) != 0;

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Marks the calling thread as the one applying history until <see cref="EndEpisode"/>.</summary>
    public void BeginEpisode() => Volatile.Write(ref _ownerThread, Environment.CurrentManagedThreadId);

    public void EndEpisode() => Volatile.Write(ref _ownerThread, -1);

    public bool IsOwnerThread => Volatile.Read(ref _ownerThread) == Environment.CurrentManagedThreadId;

    /// <summary>Runs queued continuations until none is left (each may queue more).</summary>
    public void RunUntilIdle()
    {
        while (_ready.TryDequeue(out var task))
        {
            TryExecuteTask(task);
        }
    }

    protected override void QueueTask(Task task)
    {
        if (!IsOwnerThread)
        {
            Volatile.Write(ref _foreign, 1);
        }

        _ready.Enqueue(task);
    }

    // Never inline: every continuation goes through the queue, so the order is the queue's order.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => _ready.ToArray();
}
