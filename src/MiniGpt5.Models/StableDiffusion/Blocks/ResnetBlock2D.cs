using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Blocks;

/// <summary>
/// diffusers <c>ResnetBlock2D</c> (resnet.py), as the SD UNet and VAE use it: GroupNorm → SiLU → 3×3 conv, plus the
/// projected time embedding (UNet only), GroupNorm → SiLU → 3×3 conv, and a 1×1 <c>conv_shortcut</c> on the residual
/// path when the channel count changes. Keys: <c>norm1</c>, <c>conv1</c>, <c>time_emb_proj</c>, <c>norm2</c>,
/// <c>conv2</c>, <c>conv_shortcut</c>.
/// </summary>
public sealed class ResnetBlock2D : Module
{
    private readonly double _outputScaleFactor;

    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="outChannels"/>; <paramref name="tembChannels"/>
    /// null means no time embedding (the VAE's blocks).</summary>
    public ResnetBlock2D(int inChannels, int outChannels, int? tembChannels, double eps, int groups, double outputScaleFactor = 1.0)
    {
        _outputScaleFactor = outputScaleFactor;
        Norm1 = Child("norm1", new GroupNorm(groups, inChannels, eps));
        Conv1 = Child("conv1", new Conv2d(inChannels, outChannels, 3, padding: 1));
        TimeEmbProj = tembChannels is int temb ? Child("time_emb_proj", new Linear(temb, outChannels)) : null;
        Norm2 = Child("norm2", new GroupNorm(groups, outChannels, eps));
        Conv2 = Child("conv2", new Conv2d(outChannels, outChannels, 3, padding: 1));
        ConvShortcut = inChannels != outChannels ? Child("conv_shortcut", new Conv2d(inChannels, outChannels, 1)) : null;
    }

    public GroupNorm Norm1 { get; }

    /// <summary>[out, in, 3, 3].</summary>
    public Conv2d Conv1 { get; }

    /// <summary>[out, temb]; null in the VAE.</summary>
    public Linear? TimeEmbProj { get; }

    public GroupNorm Norm2 { get; }

    /// <summary>[out, out, 3, 3].</summary>
    public Conv2d Conv2 { get; }

    /// <summary>[out, in, 1, 1] when in != out.</summary>
    public Conv2d? ConvShortcut { get; }

    /// <summary>x [B, in, H, W], temb [B, temb] (ignored without time_emb_proj) → [B, out, H, W].</summary>
    public Tensor Forward(Tensor x, Tensor? temb)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = TensorScope.Enter();
        var h = Conv1.Forward(Ops.Silu(Norm1.Forward(x)));
        if (TimeEmbProj is not null)
        {
            if (temb is null)
            {
                throw new ArgumentNullException(nameof(temb), "This ResnetBlock2D has a time_emb_proj and needs the time embedding.");
            }

            // [B, out] → [B, out, 1, 1], broadcast over the pixels.
            var t = TimeEmbProj.Forward(Ops.Silu(temb));
            h = Ops.Add(h, t.View(t.Shape[0], t.Shape[1], 1, 1));
        }

        h = Conv2.Forward(Ops.Silu(Norm2.Forward(h)));
        var residual = ConvShortcut is null ? x : ConvShortcut.Forward(x);
        var result = Ops.Add(residual, h);
        if (_outputScaleFactor != 1.0)
        {
            result = Ops.Div(result, _outputScaleFactor);
        }

        return result.MoveToOuterScope();
    }
}
