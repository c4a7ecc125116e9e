using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Blocks;

/// <summary>diffusers <c>Upsample2D</c> with a convolution (upsampling.py): nearest-neighbour ×2 (or to an explicit
/// size), then a 3×3 <c>conv</c>.</summary>
public sealed class Upsample2D : Module
{
    /// <summary>A channels → channels upsampler.</summary>
    public Upsample2D(int channels) => Conv = Child("conv", new Conv2d(channels, channels, 3, padding: 1));

    /// <summary>[C, C, 3, 3].</summary>
    public Conv2d Conv { get; }

    /// <summary>x [B, C, H, W] → [B, C, 2H, 2W], or [B, C, size.H, size.W] when <paramref name="outputSize"/> is given
    /// (the UNet passes the skip connection's size when the latent is not divisible by 2^levels).</summary>
    public Tensor Forward(Tensor x, (int Height, int Width)? outputSize = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = TensorScope.Enter();
        var up = outputSize is (int h, int w) ? Ops.InterpolateNearest(x, h, w) : Ops.InterpolateNearest(x, 2.0);
        return Conv.Forward(up).MoveToOuterScope();
    }
}
