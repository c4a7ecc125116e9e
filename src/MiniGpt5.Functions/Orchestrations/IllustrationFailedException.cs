namespace MiniGpt5.Functions.Orchestrations;

/// <summary>
/// An illustration run (manuscript or batch) failed for a reason a person can act on; the message is what the
/// instance's status shows (for a manuscript that cannot be read: the reader's message naming file, line and problem).
/// </summary>
public sealed class IllustrationFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IllustrationFailedException()
        : this("The illustration run failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public IllustrationFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public IllustrationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
