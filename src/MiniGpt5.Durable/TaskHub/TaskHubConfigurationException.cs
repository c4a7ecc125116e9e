namespace MiniGpt5.Durable.TaskHub;

/// <summary>The task hub in storage does not match this process's settings (for example its partition count).</summary>
public sealed class TaskHubConfigurationException : Exception
{
    public TaskHubConfigurationException()
    {
    }

    public TaskHubConfigurationException(string message)
        : base(message)
    {
    }

    public TaskHubConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
