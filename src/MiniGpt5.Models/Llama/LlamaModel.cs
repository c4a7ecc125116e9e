using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama;

/// <summary>
/// The LLaMA decoder stack (HF LlamaModel): token embedding, the layers, and the final RMSNorm. Keys
/// <c>embed_tokens.weight</c> [V, D], <c>layers.N.*</c>, <c>norm.weight</c> [D] (under <c>model.</c> in a causal-LM
/// checkpoint).
/// </summary>
public sealed class LlamaModel : Module
{
    /// <summary>The stack of <paramref name="config"/>; projections and embedding in <paramref name="dtype"/>.</summary>
    public LlamaModel(LlamaConfig config, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        EmbedTokens = Child("embed_tokens", new Embedding(config.VocabSize, config.HiddenSize, dtype));
        Layers = Child("layers", new ModuleList<LlamaDecoderLayer>(
            Enumerable.Range(0, config.NumLayers).Select(i => new LlamaDecoderLayer(config, i, dtype))));
        Norm = Child("norm", new RmsNorm(config.HiddenSize, config.RmsNormEps));
    }

    /// <summary>The architecture.</summary>
    public LlamaConfig Config { get; }

    /// <summary>Token embedding [V, D].</summary>
    public Embedding EmbedTokens { get; }

    /// <summary>The decoder layers.</summary>
    public ModuleList<LlamaDecoderLayer> Layers { get; }

    /// <summary>Final RMSNorm [D].</summary>
    public RmsNorm Norm { get; }

    /// <summary>Embeddings of <paramref name="ids"/> (int32/int64 [B, T]) as float32 [B, T, D].</summary>
    public Tensor Embed(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var rows = EmbedTokens.Forward(ids);
        if (rows.DType == DType.Float32)
        {
            return rows;
        }

        using (rows)
        {
            return rows.To(DType.Float32);
        }
    }

    /// <summary>
    /// A stateless causal forward (training, scoring): inputs_embeds [B, T, D] float32 at <paramref name="positions"/>
    /// (int64 [T] or [B, T]; HF computes cumsum(attention_mask) - 1, which is 0..T-1 without padding) → the hidden
    /// states after the final RMSNorm [B, T, D]. Right padding needs no mask: causal attention never lets a real
    /// token see a later pad.
    /// </summary>
    public Tensor Forward(Tensor inputsEmbeds, Tensor positions)
    {
        ArgumentNullException.ThrowIfNull(inputsEmbeds);
        ArgumentNullException.ThrowIfNull(positions);
        return Forward(inputsEmbeds, new LlamaForwardContext { Positions = positions });
    }

    /// <summary>The stack over a context (cache, buffers) → normed hidden states [B, T, D].</summary>
    internal Tensor Forward(Tensor inputsEmbeds, LlamaForwardContext context)
    {
        if (inputsEmbeds.Rank != 3 || inputsEmbeds.Shape[2] != Config.HiddenSize)
        {
            throw new ArgumentException(
                $"inputs_embeds must be [batch, length, {Config.HiddenSize}], got [{string.Join(", ", inputsEmbeds.ShapeArray())}].", nameof(inputsEmbeds));
        }

        if (inputsEmbeds.DType != DType.Float32)
        {
            throw new ArgumentException($"inputs_embeds must be float32 (activations are float32), got {inputsEmbeds.DType}.", nameof(inputsEmbeds));
        }

        using var scope = TensorScope.Enter();
        var buffers = context.Buffers;
        var x = inputsEmbeds;
        foreach (var layer in Layers)
        {
            var next = layer.Forward(x, context);
            // Free each layer's output once the next one exists (an autograd recorder keeps its own aliases).
            if (!ReferenceEquals(x, inputsEmbeds) && !ReferenceEquals(next, x))
            {
                x.Dispose();
            }

            x = next;
        }

        return Norm.Forward(x, buffers?.Final).MoveToOuterScope();
    }
}
