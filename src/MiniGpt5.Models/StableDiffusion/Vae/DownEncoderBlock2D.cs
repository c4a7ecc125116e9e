using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Blocks;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Vae;

/// <summary>diffusers <c>DownEncoderBlock2D</c>: ResnetBlock2Ds without time embedding (eps 1e-6), then a stride-2
/// <c>downsamplers.0</c> with explicit bottom/right padding, except at the last level.</summary>
public sealed class DownEncoderBlock2D : Module
{
    internal DownEncoderBlock2D(int inChannels, int outChannels, int layers, int groups, bool addDownsample)
    {
        Resnets = Child("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, layers).Select(i =>
            new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, 1e-6, groups))));
        Downsamplers = addDownsample ? Child("downsamplers", new ModuleList<Downsample2D>([new Downsample2D(outChannels, padding: 0)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }

    public ModuleList<Downsample2D>? Downsamplers { get; }

    /// <summary>[B, Cin, H, W] → [B, Cout, H', W'].</summary>
    public Tensor Forward(Tensor hidden)
    {
        using var scope = TensorScope.Enter();
        foreach (var resnet in Resnets)
        {
            hidden = resnet.Forward(hidden, null);
        }

        if (Downsamplers is not null)
        {
            hidden = Downsamplers[0].Forward(hidden);
        }

        return hidden.MoveToOuterScope();
    }
}
