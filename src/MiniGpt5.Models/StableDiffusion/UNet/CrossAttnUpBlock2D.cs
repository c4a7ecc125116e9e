using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Blocks;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>
/// diffusers <c>CrossAttnUpBlock2D</c>: (layers+1) × (concatenate a skip, ResnetBlock2D, Transformer2DModel), then
/// <c>upsamplers.0</c> except at the last level. Resnet i takes prev_output_channels (i = 0) or out channels, plus
/// the skip's channels: the level's input channels for the last resnet, out channels otherwise.
/// </summary>
public sealed class CrossAttnUpBlock2D : UNetUpBlock
{
    internal CrossAttnUpBlock2D(UNet2DConditionConfig c, int downLevel, int inChannels, int prevOutputChannels, bool addUpsample)
    {
        var outChannels = c.BlockOutChannels[downLevel];
        var layers = c.LayersPerBlock[downLevel] + 1;
        var heads = c.AttentionHeads[downLevel];
        Resnets = Child("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, layers).Select(i =>
        {
            var skipChannels = i == layers - 1 ? inChannels : outChannels;
            var resnetIn = i == 0 ? prevOutputChannels : outChannels;
            return new ResnetBlock2D(resnetIn + skipChannels, outChannels, c.TimeEmbedDim, c.NormEps, c.NormNumGroups);
        })));
        Attentions = Child("attentions", new ModuleList<Transformer2DModel>(Enumerable.Range(0, layers).Select(_ =>
            new Transformer2DModel(heads, outChannels / heads, outChannels, c.CrossAttentionDim[downLevel], c.NormNumGroups,
                c.UseLinearProjection, c.TransformerLayersPerBlock[downLevel], c.OnlyCrossAttention[downLevel]))));
        Upsamplers = addUpsample ? Child("upsamplers", new ModuleList<Upsample2D>([new Upsample2D(outChannels)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }

    public ModuleList<Transformer2DModel> Attentions { get; }

    /// <summary>The ×2 upsampler, or null at the last level.</summary>
    public ModuleList<Upsample2D>? Upsamplers { get; }

    /// <inheritdoc />
    public override int SkipCount => Resnets.Count;

    /// <inheritdoc />
    public override Tensor Forward(Tensor hidden, IList<Tensor> skips, Tensor temb, Tensor context, (int Height, int Width)? upsampleSize)
    {
        using var scope = TensorScope.Enter();
        for (var i = 0; i < Resnets.Count; i++)
        {
            hidden = Attentions[i].Forward(Resnets[i].Forward(ConcatLastSkip(hidden, skips), temb), context);
        }

        if (Upsamplers is not null)
        {
            hidden = Upsamplers[0].Forward(hidden, upsampleSize);
        }

        return hidden.MoveToOuterScope();
    }
}
