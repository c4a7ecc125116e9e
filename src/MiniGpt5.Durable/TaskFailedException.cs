namespace MiniGpt5.Durable;

/// <summary>
/// Thrown inside an orchestrator when an activity or a sub-orchestration it awaited failed (after its retry
/// policy gave up). <see cref="Failure"/> says what went wrong where the work ran; catch it to compensate.
/// </summary>
public sealed class TaskFailedException : Exception
{
    public TaskFailedException()
        : this("A durable task failed.")
    {
    }

    public TaskFailedException(string message)
        : base(message)
    {
        TaskName = string.Empty;
        Failure = new FailureDetails(typeof(TaskFailedException).FullName!, message);
    }

    public TaskFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        TaskName = string.Empty;
        Failure = FailureDetails.FromException(innerException);
    }

    /// <summary>Creates the exception for a failed call.</summary>
    public TaskFailedException(string taskName, int taskId, FailureDetails failure, string? subOrchestrationInstanceId = null)
        : base(Describe(taskName, taskId, failure, subOrchestrationInstanceId))
    {
        ArgumentNullException.ThrowIfNull(failure);
        TaskName = taskName;
        TaskId = taskId;
        Failure = failure;
        SubOrchestrationInstanceId = subOrchestrationInstanceId;
    }

    /// <summary>The activity or orchestrator name that failed.</summary>
    public string TaskName { get; }

    /// <summary>The sequence number of the scheduling step in the caller's history.</summary>
    public int TaskId { get; }

    /// <summary>What went wrong, as recorded where the work ran.</summary>
    public FailureDetails Failure { get; }

    /// <summary>For a failed sub-orchestration, its instance id; null for an activity.</summary>
    public string? SubOrchestrationInstanceId { get; }

    private static string Describe(string taskName, int taskId, FailureDetails failure, string? child) =>
        child is null
            ? $"Activity '{taskName}' (task {taskId}) failed: {failure}"
            : $"Sub-orchestration '{taskName}' (instance '{child}', task {taskId}) failed: {failure}";
}
