using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Blocks;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>diffusers <c>DownBlock2D</c>: layers × ResnetBlock2D, then <c>downsamplers.0</c> except at the last level.</summary>
public sealed class DownBlock2D : UNetDownBlock
{
    internal DownBlock2D(UNet2DConditionConfig c, int level, int inChannels, bool addDownsample)
    {
        var outChannels = c.BlockOutChannels[level];
        Resnets = Child("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, c.LayersPerBlock[level]).Select(i =>
            new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, c.TimeEmbedDim, c.NormEps, c.NormNumGroups))));
        Downsamplers = addDownsample ? Child("downsamplers", new ModuleList<Downsample2D>([new Downsample2D(outChannels, c.DownsamplePadding)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }

    /// <summary>The stride-2 convolution, or null at the last level.</summary>
    public ModuleList<Downsample2D>? Downsamplers { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor hidden, Tensor temb, Tensor context, IList<Tensor> skips)
    {
        ArgumentNullException.ThrowIfNull(skips);
        using var scope = TensorScope.Enter();
        foreach (var resnet in Resnets)
        {
            hidden = resnet.Forward(hidden, temb);
            skips.Add(hidden.MoveToOuterScope());
        }

        if (Downsamplers is not null)
        {
            hidden = Downsamplers[0].Forward(hidden);
            skips.Add(hidden.MoveToOuterScope());
        }

        return hidden;
    }
}
