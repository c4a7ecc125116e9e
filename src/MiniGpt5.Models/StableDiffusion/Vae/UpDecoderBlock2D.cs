using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Blocks;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Vae;

/// <summary>diffusers <c>UpDecoderBlock2D</c>: ResnetBlock2Ds without time embedding (eps 1e-6), then
/// <c>upsamplers.0</c> (nearest ×2 + conv) except at the last level.</summary>
public sealed class UpDecoderBlock2D : Module
{
    internal UpDecoderBlock2D(int inChannels, int outChannels, int layers, int groups, bool addUpsample)
    {
        Resnets = Child("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, layers).Select(i =>
            new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, 1e-6, groups))));
        Upsamplers = addUpsample ? Child("upsamplers", new ModuleList<Upsample2D>([new Upsample2D(outChannels)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }

    public ModuleList<Upsample2D>? Upsamplers { get; }

    /// <summary>[B, Cin, H, W] → [B, Cout, 2H, 2W] (or H, W at the last level).</summary>
    public Tensor Forward(Tensor hidden)
    {
        using var scope = TensorScope.Enter();
        foreach (var resnet in Resnets)
        {
            hidden = resnet.Forward(hidden, null);
        }

        if (Upsamplers is not null)
        {
            hidden = Upsamplers[0].Forward(hidden);
        }

        return hidden.MoveToOuterScope();
    }
}
