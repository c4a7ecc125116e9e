using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.TextEncoder;

/// <summary>transformers <c>CLIPMLP</c>: <c>fc1</c> → activation ("gelu" exact or "quick_gelu") → <c>fc2</c>.</summary>
public sealed class ClipMlp : Module
{
    private readonly bool _quickGelu;

    internal ClipMlp(int dim, int inner, string activation)
    {
        _quickGelu = activation == "quick_gelu";
        Fc1 = Child("fc1", new Linear(dim, inner));
        Fc2 = Child("fc2", new Linear(inner, dim));
    }

    /// <summary>[inner, D].</summary>
    public Linear Fc1 { get; }

    /// <summary>[D, inner].</summary>
    public Linear Fc2 { get; }

    /// <summary>[B, T, D] → [B, T, D].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        var h = Fc1.Forward(x);
        h = _quickGelu ? Ops.QuickGelu(h) : Ops.Gelu(h);
        return Fc2.Forward(h).MoveToOuterScope();
    }
}
