using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.UNet;

/// <summary>diffusers <c>TimestepEmbedding</c>: <c>linear_1</c> → SiLU → <c>linear_2</c>, from the sinusoidal
/// features (block_out_channels[0]) to the time embedding (4 × that) every resnet adds.</summary>
public sealed class TimestepEmbedding : Module
{
    /// <summary>inChannels → timeEmbedDim → timeEmbedDim.</summary>
    public TimestepEmbedding(int inChannels, int timeEmbedDim)
    {
        Linear1 = Child("linear_1", new Linear(inChannels, timeEmbedDim));
        Linear2 = Child("linear_2", new Linear(timeEmbedDim, timeEmbedDim));
    }

    /// <summary>[temb, in].</summary>
    public Linear Linear1 { get; }

    /// <summary>[temb, temb].</summary>
    public Linear Linear2 { get; }

    /// <summary>[B, in] → [B, temb].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = TensorScope.Enter();
        return Linear2.Forward(Ops.Silu(Linear1.Forward(x))).MoveToOuterScope();
    }
}
