namespace MiniGpt5.Training.NanoWorld.Dataset;

/// <summary>A dataset request that cannot be carried out as asked (the message names the folder or value at fault).</summary>
public sealed class NanoDatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NanoDatasetException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public NanoDatasetException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public NanoDatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
