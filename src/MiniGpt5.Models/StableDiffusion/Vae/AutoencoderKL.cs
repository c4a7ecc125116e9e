using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.StableDiffusion.Vae;

/// <summary>
/// diffusers <c>AutoencoderKL</c> (autoencoder_kl.py): <c>encoder</c> → <c>quant_conv</c> → a diagonal Gaussian over
/// latents, and <c>post_quant_conv</c> → <c>decoder</c> back to pixels. The pipeline divides latents by
/// <see cref="AutoencoderKLConfig.ScalingFactor"/> before <see cref="Decode"/>; training multiplies encoder samples by it.
/// Loads both the current (<c>to_q</c>…) and the older (<c>query</c>…) mid-block attention key names.
/// </summary>
public sealed class AutoencoderKL : Module
{
    /// <summary>Builds the autoencoder (zero weights until loaded).</summary>
    public AutoencoderKL(AutoencoderKLConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var latent = config.LatentChannels;
        Encoder = Child("encoder", new VaeEncoder(config));
        Decoder = Child("decoder", new VaeDecoder(config));
        QuantConv = config.UseQuantConv ? Child("quant_conv", new Conv2d(2 * latent, 2 * latent, 1)) : null;
        PostQuantConv = config.UsePostQuantConv ? Child("post_quant_conv", new Conv2d(latent, latent, 1)) : null;
    }

    public AutoencoderKLConfig Config { get; }

    public VaeEncoder Encoder { get; }

    public VaeDecoder Decoder { get; }

    /// <summary>[2L, 2L, 1, 1], or null with use_quant_conv false.</summary>
    public Conv2d? QuantConv { get; }

    /// <summary>[L, L, 1, 1], or null with use_post_quant_conv false.</summary>
    public Conv2d? PostQuantConv { get; }

    /// <summary>Builds the VAE from a diffusers <c>vae/</c> folder and loads its weights (old or new attention key names).</summary>
    public static AutoencoderKL FromPretrained(string folder, string? variant = null, DType weightDType = DType.Float32, CancellationToken cancellationToken = default)
    {
        var model = new AutoencoderKL(AutoencoderKLConfig.Load(Path.Combine(folder, "config.json")));
        try
        {
            ComponentWeights.Load(model, folder, variant, weightDType, VaeCheckpointKeys.Normalize, cancellationToken: cancellationToken);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>image [B, 3, H, W] in [-1, 1] → the latent posterior (unscaled: multiply samples by the scaling factor).</summary>
    public DiagonalGaussianDistribution Encode(Tensor image, IActivationSink? sink = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scope = TensorScope.Enter();
        var moments = Encoder.Forward(image, sink);
        if (QuantConv is not null)
        {
            moments = QuantConv.Forward(moments);
        }

        return new DiagonalGaussianDistribution(moments);
    }

    /// <summary>latents [B, L, h, w] (already divided by the scaling factor) → image [B, 3, h·f, w·f], about [-1, 1].</summary>
    public Tensor Decode(Tensor latents, IActivationSink? sink = null)
    {
        ArgumentNullException.ThrowIfNull(latents);
        if (latents.Rank != 4 || latents.Shape[1] != Config.LatentChannels)
        {
            throw new ArgumentException($"VAE: latents must be [B, {Config.LatentChannels}, h, w], got [{string.Join(", ", latents.ShapeArray())}].", nameof(latents));
        }

        using var scope = TensorScope.Enter();
        var z = PostQuantConv is null ? latents : PostQuantConv.Forward(latents);
        return Decoder.Forward(z, sink).MoveToOuterScope();
    }
}
