using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Blocks;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>
/// diffusers <c>BasicTransformerBlock</c> with layer norms (attention.py): pre-norm self-attention (<c>norm1</c>,
/// <c>attn1</c>), cross-attention to the conditioning (<c>norm2</c>, <c>attn2</c>) and a GEGLU feed-forward
/// (<c>norm3</c>, <c>ff</c>), each added back to its input. With only_cross_attention, attn1 also attends to the
/// conditioning.
/// </summary>
public sealed class BasicTransformerBlock : Module
{
    private readonly bool _onlyCrossAttention;

    /// <summary>A block over <paramref name="dim"/> = heads·headDim features attending to <paramref name="contextDim"/> features.</summary>
    public BasicTransformerBlock(int dim, int heads, int headDim, int contextDim, bool onlyCrossAttention)
    {
        _onlyCrossAttention = onlyCrossAttention;
        Norm1 = Child("norm1", new LayerNorm(dim, 1e-5));
        Attn1 = Child("attn1", new Attention(dim, onlyCrossAttention ? contextDim : null, heads, headDim));
        Norm2 = Child("norm2", new LayerNorm(dim, 1e-5));
        Attn2 = Child("attn2", new Attention(dim, contextDim, heads, headDim));
        Norm3 = Child("norm3", new LayerNorm(dim, 1e-5));
        Ff = Child("ff", new FeedForward(dim));
    }

    public LayerNorm Norm1 { get; }

    /// <summary>Self-attention (cross-attention when only_cross_attention).</summary>
    public Attention Attn1 { get; }

    public LayerNorm Norm2 { get; }

    /// <summary>Cross-attention to the conditioning (77 CLIP or MiniGPT-5 tokens).</summary>
    public Attention Attn2 { get; }

    public LayerNorm Norm3 { get; }

    public FeedForward Ff { get; }

    /// <summary>x [B, N, dim], context [B, M, contextDim] → [B, N, dim].</summary>
    public Tensor Forward(Tensor x, Tensor context)
    {
        using var scope = TensorScope.Enter();
        var h = Ops.Add(Attn1.Forward(Norm1.Forward(x), _onlyCrossAttention ? context : null), x);
        h = Ops.Add(Attn2.Forward(Norm2.Forward(h), context), h);
        h = Ops.Add(Ff.Forward(Norm3.Forward(h)), h);
        return h.MoveToOuterScope();
    }
}
