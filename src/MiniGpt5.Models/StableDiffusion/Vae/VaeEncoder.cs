using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Vae;

/// <summary>
/// diffusers <c>Encoder</c> (vae.py): <c>conv_in</c>, one DownEncoderBlock2D per level, the mid block, GroupNorm
/// (<c>conv_norm_out</c>) → SiLU → <c>conv_out</c> to 2 × latent channels (mean and log-variance).
/// </summary>
public sealed class VaeEncoder : Module
{
    internal VaeEncoder(AutoencoderKLConfig c)
    {
        var boc = c.BlockOutChannels;
        ConvIn = Child("conv_in", new Conv2d(c.InChannels, boc[0], 3, padding: 1));
        var blocks = new ModuleList<DownEncoderBlock2D>();
        var output = boc[0];
        for (var i = 0; i < boc.Count; i++)
        {
            var input = output;
            output = boc[i];
            blocks.Add(new DownEncoderBlock2D(input, output, c.LayersPerBlock, c.NormNumGroups, addDownsample: i < boc.Count - 1));
        }

        DownBlocks = Child("down_blocks", blocks);
        MidBlock = Child("mid_block", new UNetMidBlock2D(boc[^1], c.NormNumGroups, c.MidBlockAddAttention));
        ConvNormOut = Child("conv_norm_out", new GroupNorm(c.NormNumGroups, boc[^1], 1e-6));
        ConvOut = Child("conv_out", new Conv2d(boc[^1], 2 * c.LatentChannels, 3, padding: 1));
    }

    public Conv2d ConvIn { get; }

    public ModuleList<DownEncoderBlock2D> DownBlocks { get; }

    public UNetMidBlock2D MidBlock { get; }

    public GroupNorm ConvNormOut { get; }

    public Conv2d ConvOut { get; }

    /// <summary>image [B, 3, H, W] → moments [B, 2·latent, H/f, W/f].</summary>
    public Tensor Forward(Tensor image, IActivationSink? sink = null)
    {
        using var scope = TensorScope.Enter();
        var hidden = ConvIn.Forward(image);
        for (var i = 0; i < DownBlocks.Count; i++)
        {
            hidden = DownBlocks[i].Forward(hidden);
            sink?.Record($"encoder.down_blocks.{i}", hidden);
        }

        hidden = MidBlock.Forward(hidden);
        sink?.Record("encoder.mid_block", hidden);
        return ConvOut.Forward(Ops.Silu(ConvNormOut.Forward(hidden))).MoveToOuterScope();
    }
}
