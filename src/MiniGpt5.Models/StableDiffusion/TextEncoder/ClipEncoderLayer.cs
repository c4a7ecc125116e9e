using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.TextEncoder;

/// <summary>transformers <c>CLIPEncoderLayer</c>: pre-norm causal self-attention (<c>layer_norm1</c>,
/// <c>self_attn</c>) and MLP (<c>layer_norm2</c>, <c>mlp</c>), each added back to its input.</summary>
public sealed class ClipEncoderLayer : Module
{
    internal ClipEncoderLayer(ClipTextConfig c)
    {
        SelfAttn = Child("self_attn", new ClipAttention(c.HiddenSize, c.NumAttentionHeads));
        LayerNorm1 = Child("layer_norm1", new LayerNorm(c.HiddenSize, c.LayerNormEps));
        Mlp = Child("mlp", new ClipMlp(c.HiddenSize, c.IntermediateSize, c.HiddenAct));
        LayerNorm2 = Child("layer_norm2", new LayerNorm(c.HiddenSize, c.LayerNormEps));
    }

    public ClipAttention SelfAttn { get; }

    public LayerNorm LayerNorm1 { get; }

    public ClipMlp Mlp { get; }

    public LayerNorm LayerNorm2 { get; }

    /// <summary>[B, T, D] → [B, T, D].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        var h = Ops.Add(x, SelfAttn.Forward(LayerNorm1.Forward(x)));
        return Ops.Add(h, Mlp.Forward(LayerNorm2.Forward(h))).MoveToOuterScope();
    }
}
