using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.StableDiffusion.Vae;

/// <summary>
/// Older diffusers VAE checkpoints (before the Attention refactor) name the mid-block attention
/// <c>query</c>/<c>key</c>/<c>value</c>/<c>proj_attn</c>; current ones <c>to_q</c>/<c>to_k</c>/<c>to_v</c>/<c>to_out.0</c>.
/// This maps the old names to the new (as diffusers' <c>_convert_deprecated_attention_blocks</c> does) and flattens
/// 1×1-conv-shaped projections [C, C, 1, 1] to [C, C], so both layouts load into the same module.
/// </summary>
public static class VaeCheckpointKeys
{
    private static readonly (string Old, string New)[] Renames =
    [
        ("query.", "to_q."),
        ("key.", "to_k."),
        ("value.", "to_v."),
        ("proj_attn.", "to_out.0."),
    ];

    /// <summary>The checkpoint with old attention keys renamed (the same dictionary when there are none).</summary>
    public static IReadOnlyDictionary<string, CheckpointTensor> Normalize(IReadOnlyDictionary<string, CheckpointTensor> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.Keys.Any(IsLegacyAttentionKey))
        {
            return source;
        }

        var result = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in source)
        {
            var renamed = Rename(name);
            var value = tensor;
            if (renamed != name && tensor.Shape.Length == 4 && tensor.Shape[2] == 1 && tensor.Shape[3] == 1)
            {
                // [C, C, 1, 1] → [C, C]: the same elements, the trailing unit dims dropped.
                value = new CheckpointTensor(renamed, tensor.DType, tensor.Shape[..2], tensor.Strides[..2], tensor.ElementOffset, tensor.Storage, tensor.SourceFile);
            }

            if (!result.TryAdd(renamed, value))
            {
                throw new CheckpointFormatException(tensor.SourceFile, name, $"holds both the old and the new name of '{renamed}'.");
            }
        }

        return result;
    }

    private static bool IsLegacyAttentionKey(string name) => Rename(name) != name;

    private static string Rename(string name)
    {
        var marker = name.IndexOf(".attentions.", StringComparison.Ordinal);
        if (marker < 0)
        {
            return name;
        }

        // "<prefix>.attentions.<i>.<rest>": rename the start of <rest>.
        var indexEnd = name.IndexOf('.', marker + ".attentions.".Length);
        if (indexEnd < 0)
        {
            return name;
        }

        var rest = name[(indexEnd + 1)..];
        foreach (var (old, @new) in Renames)
        {
            if (rest.StartsWith(old, StringComparison.Ordinal))
            {
                return name[..(indexEnd + 1)] + @new + rest[old.Length..];
            }
        }

        return name;
    }
}
