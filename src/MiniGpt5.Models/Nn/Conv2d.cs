using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Nn;

/// <summary>nn.Conv2d with square kernels. Keys "weight" [out, in/groups, k, k] and "bias" [out].</summary>
public sealed class Conv2d : Module
{
    public Conv2d(
        int inChannels,
        int outChannels,
        int kernelSize,
        int stride = 1,
        int padding = 0,
        int dilation = 1,
        int groups = 1,
        bool bias = true)
    {
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"Conv2d: {inChannels} in and {outChannels} out channels do not divide into {groups} groups.", nameof(groups));
        }

        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        StrideValue = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        Weight = Param("weight", [outChannels, inChannels / groups, kernelSize, kernelSize]);
        Bias = bias ? Param("bias", [outChannels]) : null;
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    public int StrideValue { get; }

    public int Padding { get; }

    public int Dilation { get; }

    public int Groups { get; }

    public Parameter Weight { get; }

    public Parameter? Bias { get; }

    /// <summary>x [B, in, H, W] → [B, out, H', W'].</summary>
    public Tensor Forward(Tensor x) =>
        Ops.Conv2d(x, Weight.Value, Bias?.Value, StrideValue, Padding, Dilation, Groups);

    /// <inheritdoc />
    protected override void ResetParameters(Generator generator) =>
        WeightInit.LinearDefault(Weight, Bias, InChannels / Groups * KernelSize * KernelSize, generator);
}
