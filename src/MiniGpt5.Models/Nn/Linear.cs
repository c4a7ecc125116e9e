using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Nn;

/// <summary>nn.Linear: y = x Wᵀ + b. Keys "weight" [out, in] and "bias" [out].</summary>
public sealed class Linear : Module
{
    /// <summary>A linear layer; <paramref name="bias"/> false omits the "bias" key as PyTorch does.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, DType dtype = DType.Float32)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = Param("weight", [outFeatures, inFeatures], dtype);
        Bias = bias ? Param("bias", [outFeatures], dtype) : null;
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    /// <summary>[out, in]; may be f16/bf16 with f32 activations (f32 accumulation).</summary>
    public Parameter Weight { get; }

    /// <summary>[out], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>x [..., in] → [..., out].</summary>
    public Tensor Forward(Tensor x, Tensor? output = null) => Ops.Linear(x, Weight.Value, Bias?.Value, output);

    /// <inheritdoc />
    protected override void ResetParameters(Generator generator) =>
        WeightInit.LinearDefault(Weight, Bias, InFeatures, generator);
}
