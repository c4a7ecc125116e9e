namespace MiniGpt5.Durable.TaskHub;

/// <summary>A history blob that cannot be read back.</summary>
public sealed class HistoryCorruptedException : Exception
{
    public HistoryCorruptedException()
    {
    }

    public HistoryCorruptedException(string message)
        : base(message)
    {
    }

    public HistoryCorruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
