namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// Base of every error raised while reading or writing a checkpoint. The message always names the file and,
/// when one is at fault, the tensor key or archive entry.
/// </summary>
public abstract class CheckpointException : Exception
{
    /// <summary>Creates the exception with a finished message.</summary>
    protected CheckpointException(string message, string? filePath, string? key, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
        Key = key;
    }

    /// <summary>The checkpoint file (or folder) at fault.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor key, pickle entry or header field at fault, when there is one.</summary>
    public string? Key { get; }

    /// <summary>"Checkpoint 'file', key 'k': detail", leaving out the parts that are unknown.</summary>
    protected static string Compose(string? filePath, string? key, string detail)
    {
        var where = filePath is null ? "Checkpoint" : $"Checkpoint '{filePath}'";
        return key is null ? $"{where}: {detail}" : $"{where}, key '{key}': {detail}";
    }
}
