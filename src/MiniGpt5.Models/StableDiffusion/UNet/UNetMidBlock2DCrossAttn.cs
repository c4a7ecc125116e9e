using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Blocks;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>diffusers <c>UNetMidBlock2DCrossAttn</c>: resnets.0, then (attentions.i, resnets.i+1) for one layer, at
/// the innermost resolution.</summary>
public sealed class UNetMidBlock2DCrossAttn : Module
{
    internal UNetMidBlock2DCrossAttn(UNet2DConditionConfig c)
    {
        var channels = c.BlockOutChannels[^1];
        var heads = c.AttentionHeads[^1];
        Resnets = Child("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, 2).Select(_ =>
            new ResnetBlock2D(channels, channels, c.TimeEmbedDim, c.NormEps, c.NormNumGroups, c.MidBlockScaleFactor))));
        Attentions = Child("attentions", new ModuleList<Transformer2DModel>([
            new Transformer2DModel(heads, channels / heads, channels, c.CrossAttentionDim[^1], c.NormNumGroups,
                c.UseLinearProjection, c.TransformerLayersPerBlock[^1], c.MidBlockOnlyCrossAttention)]));
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }

    public ModuleList<Transformer2DModel> Attentions { get; }

    /// <summary>[B, C, H, W] → [B, C, H, W].</summary>
    public Tensor Forward(Tensor hidden, Tensor temb, Tensor context)
    {
        using var scope = TensorScope.Enter();
        hidden = Resnets[0].Forward(hidden, temb);
        for (var i = 0; i < Attentions.Count; i++)
        {
            hidden = Resnets[i + 1].Forward(Attentions[i].Forward(hidden, context), temb);
        }

        return hidden.MoveToOuterScope();
    }
}
