using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Blocks;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>
/// diffusers <c>CrossAttnDownBlock2D</c> (unet_2d_blocks.py): layers × (ResnetBlock2D then Transformer2DModel), then a
/// stride-2 <c>downsamplers.0</c> except at the last level. Keys <c>resnets.N.*</c>, <c>attentions.N.*</c>,
/// <c>downsamplers.0.conv.*</c>.
/// </summary>
public sealed class CrossAttnDownBlock2D : UNetDownBlock
{
    internal CrossAttnDownBlock2D(UNet2DConditionConfig c, int level, int inChannels, bool addDownsample)
    {
        var outChannels = c.BlockOutChannels[level];
        var heads = c.AttentionHeads[level];
        Resnets = Child("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, c.LayersPerBlock[level]).Select(i =>
            new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, c.TimeEmbedDim, c.NormEps, c.NormNumGroups))));
        Attentions = Child("attentions", new ModuleList<Transformer2DModel>(Enumerable.Range(0, c.LayersPerBlock[level]).Select(_ =>
            new Transformer2DModel(heads, outChannels / heads, outChannels, c.CrossAttentionDim[level], c.NormNumGroups,
                c.UseLinearProjection, c.TransformerLayersPerBlock[level], c.OnlyCrossAttention[level]))));
        Downsamplers = addDownsample ? Child("downsamplers", new ModuleList<Downsample2D>([new Downsample2D(outChannels, c.DownsamplePadding)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }

    public ModuleList<Transformer2DModel> Attentions { get; }

    /// <summary>The stride-2 convolution, or null at the last level.</summary>
    public ModuleList<Downsample2D>? Downsamplers { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor hidden, Tensor temb, Tensor context, IList<Tensor> skips)
    {
        ArgumentNullException.ThrowIfNull(skips);
        using var scope = TensorScope.Enter();
        for (var i = 0; i < Resnets.Count; i++)
        {
            hidden = Attentions[i].Forward(Resnets[i].Forward(hidden, temb), context);
            skips.Add(hidden.MoveToOuterScope());
        }

        if (Downsamplers is not null)
        {
            hidden = Downsamplers[0].Forward(hidden);
            skips.Add(hidden.MoveToOuterScope());
        }

        // Every output went to the caller's scope with the skips; hand back the last one.
        return hidden;
    }
}
