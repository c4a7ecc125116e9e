using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Nn;

/// <summary>nn.GroupNorm. Keys "weight" and "bias" [channels].</summary>
public sealed class GroupNorm : Module
{
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5)
    {
        if (numGroups <= 0 || numChannels % numGroups != 0)
        {
            throw new ArgumentException($"GroupNorm: {numChannels} channels do not divide into {numGroups} groups.", nameof(numGroups));
        }

        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        Weight = Param("weight", [numChannels]);
        Bias = Param("bias", [numChannels]);
    }

    public int NumGroups { get; }

    public int NumChannels { get; }

    public double Eps { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    /// <summary>x [B, C, ...] → same shape.</summary>
    public Tensor Forward(Tensor x) => Ops.GroupNorm(x, NumGroups, Weight.Value, Bias.Value, Eps);

    /// <inheritdoc />
    protected override void ResetParameters(Generator generator)
    {
        WeightInit.Constant(Weight, 1.0);
        WeightInit.Constant(Bias, 0.0);
    }
}
