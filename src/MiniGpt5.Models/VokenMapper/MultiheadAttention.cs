using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.VokenMapper;

/// <summary>
/// torch.nn.MultiheadAttention with equal q/k/v widths (batch_first, no mask, dropout 0): packed input projection
/// <c>in_proj_weight</c> [3E, E] (rows Wq; Wk; Wv) and <c>in_proj_bias</c> [3E], per-head scaled dot-product
/// attention, <c>out_proj.weight</c> [E, E] and <c>out_proj.bias</c> [E].
/// </summary>
public sealed class MultiheadAttention : Module
{
    private readonly int _heads;

    /// <summary>Attention of width <paramref name="width"/> with <paramref name="heads"/> heads.</summary>
    public MultiheadAttention(int width, int heads)
    {
        Width = width;
        _heads = heads;
        InProjWeight = Param("in_proj_weight", [3 * width, width]);
        InProjBias = Param("in_proj_bias", [3 * width]);
        OutProj = Child("out_proj", new Linear(width, width));
    }

    /// <summary>E.</summary>
    public int Width { get; }

    /// <summary>[3E, E], rows q;k;v.</summary>
    public Parameter InProjWeight { get; }

    /// <summary>[3E].</summary>
    public Parameter InProjBias { get; }

    /// <summary>[E, E] + bias.</summary>
    public Linear OutProj { get; }

    /// <summary>query [B, L, E] attending to memory [B, S, E] (the query itself for self-attention) → [B, L, E].</summary>
    public Tensor Forward(Tensor query, Tensor memory)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(memory);
        using var scope = TensorScope.Enter();
        int batch = query.Shape[0], length = query.Shape[1], source = memory.Shape[1];
        var headDim = Width / _heads;
        var w = Ops.Chunk(InProjWeight.Value, 3, dim: 0);                                       // 3 × [E, E]
        var b = Ops.Chunk(InProjBias.Value, 3, dim: 0);                                         // 3 × [E]
        var q = Ops.Linear(query, w[0], b[0]).View(batch, length, _heads, headDim).Transpose(1, 2);   // [B, h, L, d]
        var k = Ops.Linear(memory, w[1], b[1]).View(batch, source, _heads, headDim).Transpose(1, 2);  // [B, h, S, d]
        var v = Ops.Linear(memory, w[2], b[2]).View(batch, source, _heads, headDim).Transpose(1, 2);  // [B, h, S, d]
        var context = Ops.ScaledDotProductAttention(q, k, v).Transpose(1, 2).Reshape(batch, length, Width);
        return OutProj.Forward(context).MoveToOuterScope();
    }

    /// <summary>
    /// nn.MultiheadAttention._reset_parameters: in_proj_weight Xavier-uniform, in_proj_bias and out_proj.bias zero
    /// (out_proj.weight keeps nn.Linear's default). Zeros in Wq and Wk would be a saddle the optimiser never leaves:
    /// with q = k = 0 every score is 0, the gradients of Wq and Wk are products with k and q, so they stay 0 and the
    /// attention stays a uniform average over its keys for good.
    /// </summary>
    protected override void ResetParameters(Generator generator)
    {
        WeightInit.XavierUniform(InProjWeight, generator);
        WeightInit.Constant(InProjBias, 0.0);
        if (OutProj.Bias is { } bias)
        {
            WeightInit.Constant(bias, 0.0);
        }
    }
}
