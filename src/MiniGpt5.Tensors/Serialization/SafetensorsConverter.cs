using MiniGpt5.Tensors.Serialization.Safetensors;
using MiniGpt5.Tensors.Serialization.Torch;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// Converts any checkpoint the engine reads (PyTorch pickles, sharded folders, safetensors) into one
/// safetensors file, streaming tensor by tensor. safetensors cannot express aliasing, so tensors that share
/// a storage (tied weights, views) are each written as their own dense copy: the values are exactly those
/// PyTorch would show for each key.
/// </summary>
public static class SafetensorsConverter
{
    /// <summary>
    /// Writes <paramref name="source"/> to <paramref name="outputPath"/> (through a temporary file renamed at
    /// the end). Floating-point tensors are converted to <paramref name="floatDType"/> when given; integer
    /// and bool tensors keep their dtype.
    /// </summary>
    public static async Task<SafetensorsConversion> ConvertAsync(
        CheckpointSet source,
        string outputPath,
        DType? floatDType = null,
        bool overwrite = false,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        if (floatDType is { } target && !(target.IsFloatingPoint() && target != DType.Float64))
        {
            throw new ArgumentException($"Tensors can be converted to float32, float16 or bfloat16, not {target.TorchName()}.", nameof(floatDType));
        }

        var output = Path.GetFullPath(outputPath);
        if (source.Files.Any(f => string.Equals(f.FilePath, output, StringComparison.Ordinal)))
        {
            throw new IOException($"The output '{output}' is one of the input files; write to a new file.");
        }

        var entries = new List<SafetensorsWriteEntry>(source.Count);
        var converted = 0;
        var strided = 0;
        foreach (var tensor in source.Values)
        {
            var dtype = floatDType is { } f && tensor.DType.IsFloatingPoint() ? f : tensor.DType;
            converted += dtype != tensor.DType ? 1 : 0;
            strided += tensor.IsContiguous ? 0 : 1;
            entries.Add(SafetensorsWriteEntry.FromTensor(tensor, dtype));
        }

        // Pickled tensors that view one storage (safetensors tensors all view the data section by design).
        var shared = source.Files.OfType<TorchCheckpointFile>()
            .SelectMany(f => f.Tensors.Values)
            .GroupBy(t => t.Storage)
            .Where(g => g.Count() > 1)
            .Sum(g => g.Count());

        var metadata = new Dictionary<string, string>(source.Metadata, StringComparer.Ordinal);
        // transformers refuses safetensors whose metadata lacks a known "format".
        metadata.TryAdd("format", "pt");

        await SafetensorsWriter.WriteFileAsync(output, entries, metadata, overwrite, progress, cancellationToken).ConfigureAwait(false);
        return new SafetensorsConversion(output, entries.Count, entries.Sum(e => e.ByteLength), converted, strided, shared);
    }
}
