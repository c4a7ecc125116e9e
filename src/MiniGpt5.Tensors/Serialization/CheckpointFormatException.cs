namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// The file is not a well-formed checkpoint: truncated, corrupted, an unsupported layout or dtype, or a
/// header that contradicts itself. Nothing from the file was kept.
/// </summary>
public sealed class CheckpointFormatException : CheckpointException
{
    /// <summary>Creates the error for <paramref name="filePath"/> and, when known, the offending key.</summary>
    public CheckpointFormatException(string? filePath, string? key, string detail, Exception? innerException = null)
        : base(Compose(filePath, key, detail), filePath, key, innerException)
    {
        Detail = detail;
    }

    /// <summary>What is wrong, without the file and key.</summary>
    public string Detail { get; }
}
