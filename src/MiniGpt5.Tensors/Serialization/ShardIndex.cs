using System.Text.Json;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// The index of a sharded checkpoint (<c>model.safetensors.index.json</c>,
/// <c>pytorch_model.bin.index.json</c>, <c>diffusion_pytorch_model.safetensors.index.json</c>): which shard
/// file holds each tensor.
/// </summary>
public sealed class ShardIndex
{
    private ShardIndex(string filePath, IReadOnlyDictionary<string, string> weightMap, IReadOnlyList<string> shardFiles, long? totalSize)
    {
        FilePath = filePath;
        WeightMap = weightMap;
        ShardFiles = shardFiles;
        TotalSize = totalSize;
    }

    /// <summary>The index file.</summary>
    public string FilePath { get; }

    /// <summary>Tensor key to shard file name (relative to the index's folder).</summary>
    public IReadOnlyDictionary<string, string> WeightMap { get; }

    /// <summary>Full paths of the shards, in order of first mention.</summary>
    public IReadOnlyList<string> ShardFiles { get; }

    /// <summary><c>metadata.total_size</c> when given (bytes of tensor data).</summary>
    public long? TotalSize { get; }

    /// <summary>Reads and validates an index; shard names must be plain file names in the index's folder.</summary>
    public static ShardIndex Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(full));
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(full, null, $"the shard index is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(full, "weight_map", "the shard index has no 'weight_map' object.");
            }

            long? total = null;
            if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object &&
                metadata.TryGetProperty("total_size", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var t))
            {
                total = t;
            }

            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            var shards = new List<string>();
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    throw new CheckpointFormatException(full, entry.Name, "the weight_map value is not a file name.");
                }

                var file = entry.Value.GetString()!;
                if (file.Length == 0 || file != Path.GetFileName(file) || file is "." or ".." || file.Contains('\\', StringComparison.Ordinal))
                {
                    throw new CheckpointFormatException(full, entry.Name, $"shard '{file}' is not a plain file name next to the index.");
                }

                if (!weightMap.TryAdd(entry.Name, file))
                {
                    throw new CheckpointFormatException(full, entry.Name, "the weight_map lists this key twice.");
                }

                var shardPath = Path.Combine(folder, file);
                if (!shards.Contains(shardPath, StringComparer.Ordinal))
                {
                    shards.Add(shardPath);
                }
            }

            return new ShardIndex(full, weightMap, shards, total);
        }
    }
}
