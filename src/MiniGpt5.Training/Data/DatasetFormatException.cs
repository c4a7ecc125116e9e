namespace MiniGpt5.Training.Data;

/// <summary>A dataset file that does not have the release's format; the message names the file, line or key.</summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>Creates the error for <paramref name="path"/>.</summary>
    public DatasetFormatException(string path, string detail, Exception? innerException = null)
        : base($"{path}: {detail}", innerException)
    {
        Path = path;
    }

    /// <summary>The file at fault.</summary>
    public string Path { get; }
}
