using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Blocks;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Vae;

/// <summary>
/// diffusers <c>UNetMidBlock2D</c> as the VAE uses it: resnets.0, a single-head spatial self-attention over all pixels
/// (<c>attentions.0</c>: group_norm, to_q/to_k/to_v/to_out.0 with biases, residual), resnets.1. No time embedding,
/// GroupNorm eps 1e-6.
/// </summary>
public sealed class UNetMidBlock2D : Module
{
    internal UNetMidBlock2D(int channels, int groups, bool addAttention)
    {
        Resnets = Child("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, 2).Select(_ => new ResnetBlock2D(channels, channels, null, 1e-6, groups))));
        Attentions = addAttention
            ? Child("attentions", new ModuleList<Attention>([new Attention(channels, null, 1, channels, bias: true, normGroups: groups, normEps: 1e-6, residual: true)]))
            : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }

    /// <summary>The spatial attention, or null with mid_block_add_attention false.</summary>
    public ModuleList<Attention>? Attentions { get; }

    /// <summary>[B, C, H, W] → [B, C, H, W].</summary>
    public Tensor Forward(Tensor hidden)
    {
        using var scope = TensorScope.Enter();
        hidden = Resnets[0].Forward(hidden, null);
        if (Attentions is not null)
        {
            hidden = Attentions[0].Forward(hidden);
        }

        return Resnets[1].Forward(hidden, null).MoveToOuterScope();
    }
}
