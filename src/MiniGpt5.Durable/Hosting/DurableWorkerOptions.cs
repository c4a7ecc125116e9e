namespace MiniGpt5.Durable.Hosting;

/// <summary>What one worker process runs, and how much at once.</summary>
public sealed class DurableWorkerOptions
{
    /// <summary>Whether this worker takes partitions and runs orchestrations (GPU-only workers usually do not).</summary>
    public bool RunOrchestrations { get; set; } = true;

    /// <summary>Task queues whose activities this worker runs (for example <c>default</c>, or only <c>gpu</c>). Empty runs none.</summary>
    public IList<string> TaskQueues { get; set; } = ["default"];

    /// <summary>Activities one task queue runs at once in this worker. Default 16.</summary>
    public int MaxConcurrentActivities { get; set; } = 16;

    /// <summary>Per-task-queue overrides of <see cref="MaxConcurrentActivities"/> (for example <c>gpu = 1</c>).</summary>
    public IDictionary<string, int> TaskQueueConcurrency { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Orchestration episodes run at once. Default 32.</summary>
    public int MaxConcurrentEpisodes { get; set; } = 32;

    /// <summary>Control messages a partition buffers before it pauses receiving. Default 256.</summary>
    public int ControlQueueBufferThreshold { get; set; } = 256;

    /// <summary>
    /// On shutdown, how long running activities may take to finish before their tokens are cancelled and their
    /// messages handed back. Keep it below the host's shutdown timeout. Default 20 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>This worker's id in partition heartbeats and logs; null makes one from the machine name and process id.</summary>
    public string? WorkerId { get; set; }

    internal int ConcurrencyFor(string taskQueue) =>
        TaskQueueConcurrency.TryGetValue(taskQueue, out var limit) ? limit : MaxConcurrentActivities;

    internal void Validate()
    {
        foreach (var queue in TaskQueues)
        {
            TaskHub.TaskHubNames.ValidateTaskQueue(queue);
            if (ConcurrencyFor(queue) < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(TaskQueueConcurrency), ConcurrencyFor(queue), $"Concurrency of task queue '{queue}' must be at least 1.");
            }
        }

        if (MaxConcurrentEpisodes < 1 || ControlQueueBufferThreshold < 32)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentEpisodes), "MaxConcurrentEpisodes must be >= 1 and ControlQueueBufferThreshold >= 32.");
        }

        if (!RunOrchestrations && TaskQueues.Count == 0)
        {
            throw new ArgumentException("A worker must run orchestrations or at least one task queue.", nameof(TaskQueues));
        }
    }
}
