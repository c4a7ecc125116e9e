using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Vision;

/// <summary>EVA's MLP: fc2(GELU(fc1(x))) with exact-erf GELU. Keys <c>fc1.*</c>, <c>fc2.*</c>.</summary>
public sealed class EvaMlp : Module
{
    /// <summary>W → M → W.</summary>
    public EvaMlp(int width, int hidden, DType dtype)
    {
        Fc1 = Child("fc1", new Linear(width, hidden, bias: true, dtype));
        Fc2 = Child("fc2", new Linear(hidden, width, bias: true, dtype));
    }

    /// <summary>[M, W].</summary>
    public Linear Fc1 { get; }

    /// <summary>[W, M].</summary>
    public Linear Fc2 { get; }

    /// <summary>x [..., W] → [..., W].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        return Fc2.Forward(Ops.Gelu(Fc1.Forward(x))).MoveToOuterScope();
    }
}
