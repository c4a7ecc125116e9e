using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>One level of the UNet's expanding path (UpBlock2D or CrossAttnUpBlock2D).</summary>
public abstract class UNetUpBlock : Module
{
    /// <summary>How many skip connections the level consumes (one per resnet).</summary>
    public abstract int SkipCount { get; }

    /// <summary>
    /// hidden [B, Cprev, H, W] → [B, Cout, H2, W2]: each resnet first concatenates the last remaining skip of
    /// <paramref name="skips"/> (taken off the end and disposed once used) along the channels; the upsampler, when
    /// present, doubles the size or matches <paramref name="upsampleSize"/>.
    /// </summary>
    public abstract Tensor Forward(Tensor hidden, IList<Tensor> skips, Tensor temb, Tensor context, (int Height, int Width)? upsampleSize);

    /// <summary>Concatenates hidden and the last skip on channels and frees the skip: [B, C1, H, W] + [B, C2, H, W] → [B, C1+C2, H, W].</summary>
    protected static Tensor ConcatLastSkip(Tensor hidden, IList<Tensor> skips)
    {
        ArgumentNullException.ThrowIfNull(skips);
        if (skips.Count == 0)
        {
            throw new InvalidOperationException("The UNet up path ran out of skip connections; the down and up block configurations do not match.");
        }

        var skip = skips[^1];
        skips.RemoveAt(skips.Count - 1);
        var joined = Ops.Cat([hidden, skip], dim: 1);
        // The skip is not needed again; freeing it now keeps the peak at one level's activations.
        skip.Dispose();
        return joined;
    }
}
