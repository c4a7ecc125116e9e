using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.TextEncoder;

/// <summary>transformers <c>CLIPAttention</c>: biased <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>out_proj</c>;
/// causal self-attention with scale 1/√head_dim.</summary>
public sealed class ClipAttention : Module
{
    private readonly int _heads;

    internal ClipAttention(int dim, int heads)
    {
        _heads = heads;
        QProj = Child("q_proj", new Linear(dim, dim));
        KProj = Child("k_proj", new Linear(dim, dim));
        VProj = Child("v_proj", new Linear(dim, dim));
        OutProj = Child("out_proj", new Linear(dim, dim));
    }

    public Linear QProj { get; }

    public Linear KProj { get; }

    public Linear VProj { get; }

    public Linear OutProj { get; }

    /// <summary>x [B, T, D] → [B, T, D], each token attending to itself and earlier tokens.</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        int b = x.Shape[0], t = x.Shape[1], d = x.Shape[2];
        var headDim = d / _heads;
        // [B, T, D] → [B, T, heads, hd] → [B, heads, T, hd]
        var q = QProj.Forward(x).View(b, t, _heads, headDim).Transpose(1, 2);
        var k = KProj.Forward(x).View(b, t, _heads, headDim).Transpose(1, 2);
        var v = VProj.Forward(x).View(b, t, _heads, headDim).Transpose(1, 2);
        // [B, heads, T, hd] → [B, T, heads, hd] → [B, T, D]
        var attended = Ops.ScaledDotProductAttention(q, k, v, isCausal: true).Transpose(1, 2).Reshape(b, t, d);
        return OutProj.Forward(attended).MoveToOuterScope();
    }
}
