using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Blocks;

/// <summary>
/// diffusers <c>Downsample2D</c> with a convolution (downsampling.py): a 3×3 stride-2 <c>conv</c>. The UNet pads by 1
/// inside the convolution; the VAE encoder (padding 0) pads one zero row and column at the bottom and right first,
/// as <c>F.pad(x, (0, 1, 0, 1))</c> does.
/// </summary>
public sealed class Downsample2D : Module
{
    private readonly int _padding;

    /// <summary>A channels → channels stride-2 convolution with the given padding (1 in the UNet, 0 in the VAE).</summary>
    public Downsample2D(int channels, int padding)
    {
        _padding = padding;
        Conv = Child("conv", new Conv2d(channels, channels, 3, stride: 2, padding: padding));
    }

    /// <summary>[C, C, 3, 3].</summary>
    public Conv2d Conv { get; }

    /// <summary>x [B, C, H, W] → [B, C, ⌈H/2⌉, ⌈W/2⌉] (UNet) or [B, C, ⌊H/2⌋, ⌊W/2⌋] (VAE).</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (_padding != 0)
        {
            return Conv.Forward(x);
        }

        using var scope = TensorScope.Enter();
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        // [B, C, H, W] → [B, C, H, W+1] → [B, C, H+1, W+1], zeros on the right and bottom (recorded ops, so autograd sees them).
        var right = Tensor.Zeros([b, c, h, 1], x.DType, x.Device);
        var padded = Ops.Cat([x, right], dim: 3);
        var bottom = Tensor.Zeros([b, c, 1, w + 1], x.DType, x.Device);
        padded = Ops.Cat([padded, bottom], dim: 2);
        return Conv.Forward(padded).MoveToOuterScope();
    }
}
