namespace MiniGpt5.Functions.Hosting;

/// <summary>
/// The model named by <c>--model</c> or <c>MiniGpt5__Model</c> cannot be found or loaded; the message says where
/// it looked. Not retried: another attempt on the same worker would fail the same way.
/// </summary>
public sealed class ModelUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelUnavailableException()
        : this("The model is not available.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ModelUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
