namespace MiniGpt5.Durable.Client;

/// <summary>An operation named an instance id that does not exist (never started, or purged).</summary>
public sealed class InstanceNotFoundException : Exception
{
    public InstanceNotFoundException()
    {
    }

    public InstanceNotFoundException(string message)
        : base(message)
    {
    }

    public InstanceNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
