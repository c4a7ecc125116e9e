namespace MiniGpt5.Models.StableDiffusion;

/// <summary>
/// A Stable Diffusion model folder or config that cannot be used as it is: a missing component folder or file, a
/// config field that is missing, of the wrong type or not supported. The message names the file and the field.
/// (Weight files whose keys or shapes do not match raise <see cref="Tensors.Serialization.CheckpointKeyMismatchException"/>,
/// which lists every missing, unexpected and misshapen key.)
/// </summary>
public sealed class StableDiffusionModelException : Exception
{
    /// <summary>An error about <paramref name="path"/> (and <paramref name="field"/> inside it, when given).</summary>
    public StableDiffusionModelException(string path, string? field, string message, Exception? innerException = null)
        : base(Format(path, field, message), innerException)
    {
        Path = path;
        Field = field;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }

    /// <summary>The config field at fault, if any.</summary>
    public string? Field { get; }

    private static string Format(string path, string? field, string message) =>
        field is null ? $"'{path}': {message}" : $"'{path}', field '{field}': {message}";
}
