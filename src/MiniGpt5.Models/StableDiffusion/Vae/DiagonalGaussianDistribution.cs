using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Vae;

/// <summary>
/// diffusers <c>DiagonalGaussianDistribution</c>: the VAE encoder's posterior. The moments [B, 2·latent, h, w] split
/// into mean and log-variance along the channels; the log-variance is clamped to [-30, 20]. Owns its tensors.
/// </summary>
public sealed class DiagonalGaussianDistribution : IDisposable
{
    /// <summary>Takes the moments [B, 2·latent, h, w] (the distribution keeps its own copies).</summary>
    public DiagonalGaussianDistribution(Tensor moments)
    {
        ArgumentNullException.ThrowIfNull(moments);
        using var scope = TensorScope.Enter();
        var latent = moments.Shape[1] / 2;
        // [B, 2L, h, w] → mean [B, L, h, w], logvar [B, L, h, w]
        Mean = moments.Narrow(1, 0, latent).Contiguous().DetachFromScope();
        LogVar = Ops.Clamp(moments.Narrow(1, latent, latent), -30.0, 20.0).DetachFromScope();
        Std = Ops.Exp(Ops.Mul(LogVar, 0.5)).DetachFromScope();
    }

    /// <summary>[B, L, h, w].</summary>
    public Tensor Mean { get; }

    /// <summary>[B, L, h, w], clamped to [-30, 20].</summary>
    public Tensor LogVar { get; }

    /// <summary>exp(logvar / 2).</summary>
    public Tensor Std { get; }

    /// <summary>mean + std·ε with ε drawn like torch.randn(mean.shape, generator=generator). Caller owns the result.</summary>
    public Tensor Sample(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = TensorScope.Enter();
        var noise = Tensor.Randn(Mean.Shape, generator);
        return Ops.Add(Mean, Ops.Mul(Std, noise)).MoveToOuterScope();
    }

    /// <summary>The mean (diffusers' <c>mode()</c>). A new tensor the caller owns.</summary>
    public Tensor Mode() => Mean.Alias();

    /// <inheritdoc />
    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
        Std.Dispose();
    }
}
