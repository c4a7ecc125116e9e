namespace MiniGpt5.Text;

/// <summary>
/// A tokenizer file that cannot be used: malformed, inconsistent, or a kind this library does not read.
/// The message names the file and the field, piece or line at fault.
/// </summary>
public sealed class TokenizerFormatException : Exception
{
    public TokenizerFormatException()
    {
    }

    public TokenizerFormatException(string message)
        : base(message)
    {
    }

    public TokenizerFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error for <paramref name="path"/>; the message starts with the path.</summary>
    public TokenizerFormatException(string path, string message, Exception? innerException)
        : base($"{path}: {message}", innerException)
    {
        FilePath = path;
    }

    /// <summary>The file (or folder) at fault, when known.</summary>
    public string? FilePath { get; }
}
