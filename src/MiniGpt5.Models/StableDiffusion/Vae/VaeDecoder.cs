using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Vae;

/// <summary>
/// diffusers <c>Decoder</c> (vae.py): <c>conv_in</c> from the latent channels, the mid block, one UpDecoderBlock2D per
/// level (layers_per_block + 1 resnets each), GroupNorm (<c>conv_norm_out</c>) → SiLU → <c>conv_out</c> to RGB.
/// </summary>
public sealed class VaeDecoder : Module
{
    internal VaeDecoder(AutoencoderKLConfig c)
    {
        var boc = c.BlockOutChannels;
        ConvIn = Child("conv_in", new Conv2d(c.LatentChannels, boc[^1], 3, padding: 1));
        MidBlock = Child("mid_block", new UNetMidBlock2D(boc[^1], c.NormNumGroups, c.MidBlockAddAttention));
        var blocks = new ModuleList<UpDecoderBlock2D>();
        var output = boc[^1];
        for (var i = 0; i < boc.Count; i++)
        {
            var previous = output;
            output = boc[boc.Count - 1 - i];
            blocks.Add(new UpDecoderBlock2D(previous, output, c.LayersPerBlock + 1, c.NormNumGroups, addUpsample: i < boc.Count - 1));
        }

        UpBlocks = Child("up_blocks", blocks);
        ConvNormOut = Child("conv_norm_out", new GroupNorm(c.NormNumGroups, boc[0], 1e-6));
        ConvOut = Child("conv_out", new Conv2d(boc[0], c.OutChannels, 3, padding: 1));
    }

    public Conv2d ConvIn { get; }

    public UNetMidBlock2D MidBlock { get; }

    public ModuleList<UpDecoderBlock2D> UpBlocks { get; }

    public GroupNorm ConvNormOut { get; }

    public Conv2d ConvOut { get; }

    /// <summary>z [B, latent, h, w] → image [B, 3, h·f, w·f] in about [-1, 1].</summary>
    public Tensor Forward(Tensor z, IActivationSink? sink = null)
    {
        using var scope = TensorScope.Enter();
        var hidden = MidBlock.Forward(ConvIn.Forward(z));
        sink?.Record("decoder.mid_block", hidden);
        for (var i = 0; i < UpBlocks.Count; i++)
        {
            var previous = hidden;
            hidden = UpBlocks[i].Forward(hidden);
            // Decoding 512×512 holds 128-channel maps of 512²; free each level's input as soon as it is used.
            previous.Dispose();
            sink?.Record($"decoder.up_blocks.{i}", hidden);
        }

        return ConvOut.Forward(Ops.Silu(ConvNormOut.Forward(hidden))).MoveToOuterScope();
    }
}
