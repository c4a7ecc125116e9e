using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Blocks;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>diffusers <c>UpBlock2D</c>: (layers+1) × (concatenate a skip, ResnetBlock2D), then <c>upsamplers.0</c>
/// except at the last level (channel bookkeeping as <see cref="CrossAttnUpBlock2D"/>).</summary>
public sealed class UpBlock2D : UNetUpBlock
{
    internal UpBlock2D(UNet2DConditionConfig c, int downLevel, int inChannels, int prevOutputChannels, bool addUpsample)
    {
        var outChannels = c.BlockOutChannels[downLevel];
        var layers = c.LayersPerBlock[downLevel] + 1;
        Resnets = Child("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, layers).Select(i =>
        {
            var skipChannels = i == layers - 1 ? inChannels : outChannels;
            var resnetIn = i == 0 ? prevOutputChannels : outChannels;
            return new ResnetBlock2D(resnetIn + skipChannels, outChannels, c.TimeEmbedDim, c.NormEps, c.NormNumGroups);
        })));
        Upsamplers = addUpsample ? Child("upsamplers", new ModuleList<Upsample2D>([new Upsample2D(outChannels)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }

    /// <summary>The ×2 upsampler, or null at the last level.</summary>
    public ModuleList<Upsample2D>? Upsamplers { get; }

    /// <inheritdoc />
    public override int SkipCount => Resnets.Count;

    /// <inheritdoc />
    public override Tensor Forward(Tensor hidden, IList<Tensor> skips, Tensor temb, Tensor context, (int Height, int Width)? upsampleSize)
    {
        using var scope = TensorScope.Enter();
        foreach (var resnet in Resnets)
        {
            hidden = resnet.Forward(ConcatLastSkip(hidden, skips), temb);
        }

        if (Upsamplers is not null)
        {
            hidden = Upsamplers[0].Forward(hidden, upsampleSize);
        }

        return hidden.MoveToOuterScope();
    }
}
