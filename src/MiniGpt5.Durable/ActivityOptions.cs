namespace MiniGpt5.Durable;

/// <summary>Options for one activity call.</summary>
public sealed record ActivityOptions
{
    /// <summary>Retry policy; null means a failure is final.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>
    /// The task queue to send the call to (lowercase letters, digits, hyphens). Null uses the queue the
    /// activity was registered with, or <c>default</c>. Only workers listening on that queue pick it up.
    /// </summary>
    public string? TaskQueue { get; init; }

    /// <summary>Options with a retry policy.</summary>
    public static ActivityOptions WithRetry(RetryPolicy retry) => new() { Retry = retry };

    /// <summary>Options that send the call to <paramref name="taskQueue"/>.</summary>
    public static ActivityOptions OnTaskQueue(string taskQueue) => new() { TaskQueue = taskQueue };
}
