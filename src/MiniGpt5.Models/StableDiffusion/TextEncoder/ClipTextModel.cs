using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.TextEncoder;

/// <summary>
/// transformers <c>CLIPTextModel</c> as Stable Diffusion uses it: token ids → last_hidden_state (after the final
/// LayerNorm), the [B, 77, D] conditioning of the UNet's cross-attention. Causal self-attention and no padding mask,
/// as the SD pipelines call it. Keys start with <c>text_model.</c>.
/// </summary>
public sealed class ClipTextModel : Module
{
    /// <summary>Checkpoint keys that belong to no parameter: the <c>position_ids</c> buffer older transformers saved.</summary>
    public static readonly IReadOnlyList<string> IgnoredKeys = ["text_model.embeddings.position_ids"];

    /// <summary>Builds the encoder (zero weights until loaded).</summary>
    public ClipTextModel(ClipTextConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        TextModel = Child("text_model", new ClipTextTransformer(config));
    }

    public ClipTextConfig Config { get; }

    public ClipTextTransformer TextModel { get; }

    /// <summary>Builds the encoder from a transformers <c>text_encoder/</c> folder and loads its weights.</summary>
    public static ClipTextModel FromPretrained(string folder, string? variant = null, DType weightDType = DType.Float32, CancellationToken cancellationToken = default)
    {
        var model = new ClipTextModel(ClipTextConfig.Load(Path.Combine(folder, "config.json")));
        try
        {
            ComponentWeights.Load(model, folder, variant, weightDType, ignoredPatterns: IgnoredKeys, cancellationToken: cancellationToken);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>input ids (int32/int64) [B, T ≤ 77] → last_hidden_state [B, T, D] float32.</summary>
    public Tensor Forward(Tensor inputIds, IActivationSink? sink = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.Rank != 2)
        {
            throw new ArgumentException($"CLIP text encoder: input ids must be [B, T], got [{string.Join(", ", inputIds.ShapeArray())}].", nameof(inputIds));
        }

        using var scope = TensorScope.Enter();
        var hidden = TextModel.Embeddings.Forward(inputIds);
        var layers = TextModel.Encoder.Layers;
        for (var i = 0; i < layers.Count; i++)
        {
            hidden = layers[i].Forward(hidden);
            sink?.Record($"text_model.encoder.layers.{i}", hidden);
        }

        return TextModel.FinalLayerNorm.Forward(hidden).MoveToOuterScope();
    }

    /// <summary>Encodes id rows (each of length ≤ 77) as one batch: [rows, T, D].</summary>
    public Tensor Encode(IReadOnlyList<int[]> idRows)
    {
        ArgumentNullException.ThrowIfNull(idRows);
        if (idRows.Count == 0 || idRows.Any(r => r.Length != idRows[0].Length))
        {
            throw new ArgumentException("CLIP text encoder: give at least one id row, all of the same length.", nameof(idRows));
        }

        using var scope = TensorScope.Enter();
        var flat = idRows.SelectMany(r => r).ToArray();
        var ids = Tensor.FromArray<int>(flat, [idRows.Count, idRows[0].Length]);
        return Forward(ids).MoveToOuterScope();
    }
}
