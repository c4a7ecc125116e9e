namespace MiniGpt5.Models.Llama;

/// <summary>A LLaMA model folder or its config.json cannot be used: names the file and the field or file at fault.</summary>
public sealed class LlamaConfigException : Exception
{
    /// <summary>Creates the error for <paramref name="path"/>.</summary>
    public LlamaConfigException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }
}
