using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.TextEncoder;

/// <summary>transformers <c>CLIPTextEmbeddings</c>: <c>token_embedding</c> [vocab, D] plus learned
/// <c>position_embedding</c> [77, D] for positions 0..T-1. (The <c>position_ids</c> buffer some checkpoints carry is
/// just arange(77) and is not needed.)</summary>
public sealed class ClipTextEmbeddings : Module
{
    internal ClipTextEmbeddings(ClipTextConfig c)
    {
        TokenEmbedding = Child("token_embedding", new Embedding(c.VocabSize, c.HiddenSize));
        PositionEmbedding = Child("position_embedding", new Embedding(c.MaxPositionEmbeddings, c.HiddenSize));
    }

    public Embedding TokenEmbedding { get; }

    public Embedding PositionEmbedding { get; }

    /// <summary>ids [B, T] → [B, T, D] float32 (also with bf16 weights).</summary>
    public Tensor Forward(Tensor ids)
    {
        using var scope = TensorScope.Enter();
        var t = ids.Shape[1];
        if (t > PositionEmbedding.NumEmbeddings)
        {
            throw new ArgumentException($"CLIP text encoder: {t} tokens, but only {PositionEmbedding.NumEmbeddings} positions.", nameof(ids));
        }

        var tokens = TokenEmbedding.Forward(ids).To(DType.Float32);
        // Rows 0..T-1 of the position table, [T, D], broadcast over the batch.
        var positions = PositionEmbedding.Weight.Value.Narrow(0, 0, t).To(DType.Float32);
        return Ops.Add(tokens, positions).MoveToOuterScope();
    }
}
