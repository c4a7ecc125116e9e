namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// A MiniGPT-5 model folder cannot be used: a file is missing, minigpt5.json is wrong, the checkpoints do not fit
/// together (wrong vocabulary size, a stage-2 checkpoint without stage 1). Names the file and what is wrong.
/// </summary>
public sealed class MiniGpt5ModelException : Exception
{
    /// <summary>Creates the error for <paramref name="path"/>.</summary>
    public MiniGpt5ModelException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }
}
