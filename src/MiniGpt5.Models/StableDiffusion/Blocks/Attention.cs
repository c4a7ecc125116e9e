using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Blocks;

/// <summary>
/// diffusers <c>Attention</c> with the scaled-dot-product processor (attention_processor.py). Two forms are used:
/// <list type="bullet">
/// <item>the UNet's self- and cross-attention (<c>attn1</c>/<c>attn2</c> of a transformer block): <c>to_q</c>,
/// <c>to_k</c>, <c>to_v</c> without bias, <c>to_out.0</c> with bias, on [B, N, C] tokens;</item>
/// <item>the VAE mid-block's single-head spatial attention: a <c>group_norm</c> first, biased projections, input and
/// output [B, C, H, W], and a residual connection.</item>
/// </list>
/// Attention always runs in float32 (the engine's fused SDPA), so diffusers' <c>upcast_attention</c>/<c>upcast_softmax</c>
/// switches, which only matter for half-precision activations, are satisfied by construction.
/// </summary>
public sealed class Attention : Module
{
    private readonly bool _residual;

    /// <summary>
    /// Attention from <paramref name="queryDim"/> tokens to <paramref name="contextDim"/> tokens (null: self-attention),
    /// <paramref name="heads"/> heads of <paramref name="headDim"/>; <paramref name="normGroups"/> adds the VAE's group_norm.
    /// </summary>
    public Attention(int queryDim, int? contextDim, int heads, int headDim, bool bias = false, int? normGroups = null, double normEps = 1e-5, bool residual = false)
    {
        Heads = heads;
        HeadDim = headDim;
        _residual = residual;
        var inner = heads * headDim;
        GroupNorm = normGroups is int groups ? Child("group_norm", new GroupNorm(groups, queryDim, normEps)) : null;
        ToQ = Child("to_q", new Linear(queryDim, inner, bias));
        ToK = Child("to_k", new Linear(contextDim ?? queryDim, inner, bias));
        ToV = Child("to_v", new Linear(contextDim ?? queryDim, inner, bias));
        // "to_out" is a ModuleList [Linear, Dropout]; only the Linear has weights ("to_out.0.*").
        ToOut = Child("to_out", new ModuleList<Linear>([new Linear(inner, queryDim)]));
    }

    public int Heads { get; }

    public int HeadDim { get; }

    /// <summary>The VAE form's pre-norm over channels, or null.</summary>
    public GroupNorm? GroupNorm { get; }

    /// <summary>[heads·headDim, queryDim].</summary>
    public Linear ToQ { get; }

    /// <summary>[heads·headDim, contextDim].</summary>
    public Linear ToK { get; }

    /// <summary>[heads·headDim, contextDim].</summary>
    public Linear ToV { get; }

    /// <summary>to_out.0: [queryDim, heads·headDim] with bias.</summary>
    public ModuleList<Linear> ToOut { get; }

    /// <summary>
    /// x [B, N, C] (or [B, C, H, W] for the spatial form), context [B, M, Cc] or null for self-attention → the shape of x.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor? context = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = TensorScope.Enter();
        var tokens = x;
        int b = x.Shape[0], channels = 0, height = 0, width = 0;
        if (x.Rank == 4)
        {
            (channels, height, width) = (x.Shape[1], x.Shape[2], x.Shape[3]);
            if (GroupNorm is not null)
            {
                // GroupNorm over [B, C, H·W] equals GroupNorm over [B, C, H, W]; normalise before flattening.
                tokens = GroupNorm.Forward(x);
            }

            // [B, C, H, W] → [B, C, H·W] → [B, H·W, C]
            tokens = tokens.View(b, channels, height * width).Transpose(1, 2);
        }
        else if (GroupNorm is not null)
        {
            // [B, N, C] → [B, C, N] for the norm, then back.
            tokens = GroupNorm.Forward(tokens.Transpose(1, 2)).Transpose(1, 2);
        }

        var source = context ?? tokens;
        var q = SplitHeads(ToQ.Forward(tokens), b);
        var k = SplitHeads(ToK.Forward(source), b);
        var v = SplitHeads(ToV.Forward(source), b);
        // [B, heads, N, d] → [B, N, heads, d] → [B, N, heads·d]
        var attended = Ops.ScaledDotProductAttention(q, k, v).Transpose(1, 2).Reshape(b, -1, Heads * HeadDim);
        var output = ToOut[0].Forward(attended);
        if (x.Rank == 4)
        {
            // [B, H·W, C] → [B, C, H·W] → [B, C, H, W]
            output = output.Transpose(1, 2).Reshape(b, channels, height, width);
        }

        if (_residual)
        {
            output = Ops.Add(output, x);
        }

        return output.MoveToOuterScope();
    }

    // [B, N, heads·d] → [B, N, heads, d] → [B, heads, N, d] (a view; SDPA reads the strides).
    private Tensor SplitHeads(Tensor t, int batch) => t.View(batch, -1, Heads, HeadDim).Transpose(1, 2);
}
