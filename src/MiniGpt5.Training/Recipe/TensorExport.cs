using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization.Safetensors;

namespace MiniGpt5.Training.Recipe;

/// <summary>Writes named tensors to a safetensors file atomically, optionally cast (float16 for the shipped model).</summary>
public static class TensorExport
{
    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/>, replacing it; <paramref name="dtype"/> null
    /// keeps each tensor's dtype.</summary>
    public static async Task WriteAsync(
        string path,
        IEnumerable<(string Name, Tensor Tensor)> tensors,
        DType? dtype = null,
        IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var owned = new List<Tensor>();
        try
        {
            var entries = new List<SafetensorsWriteEntry>();
            foreach (var (name, tensor) in tensors)
            {
                var cast = dtype is { } d && tensor.DType != d ? tensor.To(d) : tensor.Contiguous();
                owned.Add(cast.DetachFromScope());
                entries.Add(SafetensorsWriteEntry.FromTensor(name, cast));
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await SafetensorsWriter.WriteFileAsync(path, entries, metadata, overwrite: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var tensor in owned)
            {
                tensor.Dispose();
            }
        }
    }
}
