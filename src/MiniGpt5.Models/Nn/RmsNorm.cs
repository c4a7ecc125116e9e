using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Nn;

/// <summary>LLaMA's RMSNorm (HF LlamaRMSNorm): x · rsqrt(mean(x²) + eps) · weight, computed in f32. Key "weight" [dim].</summary>
public sealed class RmsNorm : Module
{
    public RmsNorm(int dim, double eps = 1e-6)
    {
        Dim = dim;
        Eps = eps;
        Weight = Param("weight", [dim]);
    }

    public int Dim { get; }

    public double Eps { get; }

    public Parameter Weight { get; }

    /// <summary>x [..., dim] → same shape.</summary>
    public Tensor Forward(Tensor x, Tensor? output = null) => Ops.RmsNorm(x, Weight.Value, Eps, output);

    /// <inheritdoc />
    protected override void ResetParameters(Generator generator) => WeightInit.Constant(Weight, 1.0);
}
