using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Nn;

/// <summary>nn.LayerNorm over the last dimension. Keys "weight" and "bias" [dim] when affine.</summary>
public sealed class LayerNorm : Module
{
    public LayerNorm(int dim, double eps = 1e-5, bool elementwiseAffine = true)
    {
        Dim = dim;
        Eps = eps;
        Weight = elementwiseAffine ? Param("weight", [dim]) : null;
        Bias = elementwiseAffine ? Param("bias", [dim]) : null;
    }

    public int Dim { get; }

    public double Eps { get; }

    public Parameter? Weight { get; }

    public Parameter? Bias { get; }

    /// <summary>x [..., dim] → same shape.</summary>
    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, [Dim], Weight?.Value, Bias?.Value, Eps);

    /// <inheritdoc />
    protected override void ResetParameters(Generator generator)
    {
        if (Weight is not null && Bias is not null)
        {
            WeightInit.Constant(Weight, 1.0);
            WeightInit.Constant(Bias, 0.0);
        }
    }
}
