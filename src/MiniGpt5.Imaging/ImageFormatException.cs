namespace MiniGpt5.Imaging;

/// <summary>
/// An image could not be decoded: unsupported or unrecognised format, truncated or corrupt data, or declared
/// dimensions over the configured pixel limit. The message names the source (file path or caller's label) when
/// one was given, and what was wrong.
/// </summary>
public sealed class ImageFormatException : Exception
{
    public ImageFormatException()
    {
    }

    public ImageFormatException(string message)
        : base(message)
    {
    }

    public ImageFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about <paramref name="sourceName"/> detected as <paramref name="format"/>.</summary>
    public ImageFormatException(string message, string? sourceName, ImageFormat format, Exception? innerException = null)
        : base(Describe(message, sourceName), innerException)
    {
        SourceName = sourceName;
        Format = format;
    }

    /// <summary>The file path or label of the data that failed, when the caller gave one.</summary>
    public string? SourceName { get; }

    /// <summary>The format detected from the magic bytes.</summary>
    public ImageFormat Format { get; }

    /// <summary>The same failure, re-labelled with the source it came from.</summary>
    internal ImageFormatException WithSource(string? sourceName, ImageFormat format) =>
        SourceName is not null || (sourceName is null && format == Format)
            ? this
            : new ImageFormatException(Message, sourceName, format, this);

    private static string Describe(string message, string? sourceName) =>
        sourceName is null ? message : $"{sourceName}: {message}";
}
