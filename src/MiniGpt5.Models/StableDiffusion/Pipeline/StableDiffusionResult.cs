using MiniGpt5.Imaging;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Pipeline;

/// <summary>The generated image, the final latents it was decoded from, and notes (e.g. a truncated prompt).</summary>
public sealed class StableDiffusionResult : IDisposable
{
    internal StableDiffusionResult(Image image, Tensor latents, Tensor decoded, IReadOnlyList<string> warnings)
    {
        Image = image;
        Latents = latents;
        Decoded = decoded;
        Warnings = warnings;
    }

    /// <summary>8-bit RGB: (x/2 + 0.5).clamp(0, 1), rounded as diffusers' numpy_to_pil does.</summary>
    public Image Image { get; }

    /// <summary>The final latents [1, 4, h, w] before the 1/scaling_factor division (owned by this result).</summary>
    public Tensor Latents { get; }

    /// <summary>The VAE output [1, 3, H, W] in about [-1, 1] before clamping (owned by this result).</summary>
    public Tensor Decoded { get; }

    /// <summary>Things the caller should know (diffusers logs these as warnings).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Latents.Dispose();
        Decoded.Dispose();
    }
}
