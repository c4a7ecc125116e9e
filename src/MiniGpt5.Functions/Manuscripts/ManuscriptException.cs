namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// A manuscript cannot be read or planned. The message names the source and the position (line and column,
/// or JSON path); <see cref="Error"/> carries the same facts as data.
/// </summary>
public sealed class ManuscriptException : Exception
{
    public ManuscriptException()
        : this(new ManuscriptError("(unknown source)", "the manuscript could not be read."))
    {
    }

    public ManuscriptException(string message)
        : this(new ManuscriptError("(unknown source)", message))
    {
    }

    public ManuscriptException(string message, Exception innerException)
        : this(new ManuscriptError("(unknown source)", message), innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public ManuscriptException(ManuscriptError error)
        : base((error ?? throw new ArgumentNullException(nameof(error))).ToString())
    {
        Error = error;
    }

    /// <summary>Creates the exception for <paramref name="error"/> caused by <paramref name="innerException"/>.</summary>
    public ManuscriptException(ManuscriptError error, Exception innerException)
        : base((error ?? throw new ArgumentNullException(nameof(error))).ToString(), innerException)
    {
        Error = error;
    }

    /// <summary>The facts: source, position, message.</summary>
    public ManuscriptError Error { get; }
}
