using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>One level of the UNet's contracting path (CrossAttnDownBlock2D or DownBlock2D).</summary>
public abstract class UNetDownBlock : Module
{
    /// <summary>
    /// hidden [B, Cin, H, W] → [B, Cout, H', W']; appends each resnet's (or resnet+attention's) output and the
    /// downsampled map to <paramref name="skips"/>, owned by the caller's <see cref="TensorScope"/>.
    /// </summary>
    public abstract Tensor Forward(Tensor hidden, Tensor temb, Tensor context, IList<Tensor> skips);
}
