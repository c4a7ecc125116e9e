using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Losses;

/// <summary>
/// MiniGPT-5's compute_image_loss: the target image goes through the frozen VAE (posterior sample × scaling factor),
/// a timestep t ~ U{0..N−1} and noise ε ~ N(0, I) are drawn, z_t comes from the scheduler's AddNoise, the UNet
/// predicts ε from (z_t, t, conditioning), and the loss is mean_b(w_b · mean((ε̂ − ε)²)) in float32 with the
/// min-SNR-γ weights w = min(snr, γ)/snr (γ = 5; plain MSE when γ is null). Gradients reach the conditioning (the
/// mapper's output) through the frozen UNet. Draws come from one generator in the reference's order — posterior
/// sample, noise, timesteps — so a seeded run reproduces a seeded PyTorch run.
/// </summary>
public sealed class LatentDiffusionLoss
{
    private readonly float[] _alphasCumprod;

    /// <summary>A loss over <paramref name="unet"/> with <paramref name="scheduler"/>'s training noise schedule;
    /// <paramref name="vae"/> may be null when latents are given directly.</summary>
    public LatentDiffusionLoss(UNet2DConditionModel unet, AutoencoderKL? vae, IDiffusionScheduler scheduler, double? snrGamma = MinSnrWeighting.DefaultGamma)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(scheduler);
        if (scheduler.Config.PredictionType != "epsilon")
        {
            throw new ArgumentException($"LatentDiffusionLoss trains ε-prediction; the scheduler predicts '{scheduler.Config.PredictionType}'.", nameof(scheduler));
        }

        Unet = unet;
        Vae = vae;
        Scheduler = scheduler;
        SnrGamma = snrGamma;
        _alphasCumprod = NoiseSchedule.AlphasCumprod(NoiseSchedule.Betas(scheduler.Config));
    }

    /// <summary>The denoiser (frozen for MiniGPT-5; trainable for the nano latent-diffusion model).</summary>
    public UNet2DConditionModel Unet { get; }

    /// <summary>The frozen VAE, if images are encoded here.</summary>
    public AutoencoderKL? Vae { get; }

    /// <summary>Provides AddNoise and the training schedule.</summary>
    public IDiffusionScheduler Scheduler { get; }

    /// <summary>γ of the min-SNR weighting, or null for a plain MSE.</summary>
    public double? SnrGamma { get; }

    /// <summary>Number of training timesteps (t is drawn from 0..N−1).</summary>
    public int TrainTimesteps => _alphasCumprod.Length;

    /// <summary>ᾱ per training timestep.</summary>
    public IReadOnlyList<float> AlphasCumprod => _alphasCumprod;

    /// <summary>vae.encode(images).latent_dist.sample() · scaling factor, without gradients (the VAE is frozen).
    /// images [B, 3, H, W] in [-1, 1]. Draws the posterior noise from <paramref name="generator"/>.</summary>
    public Tensor EncodeLatents(Tensor images, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(images);
        var vae = Vae ?? throw new InvalidOperationException("LatentDiffusionLoss was built without a VAE; pass latents instead of images.");
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Enter();
        using var posterior = vae.Encode(images);
        var sample = posterior.Sample(generator);
        return (sample * vae.Config.ScalingFactor).MoveToOuterScope();
    }

    /// <summary>The loss for target images (encoded here) under <paramref name="conditioning"/> [B, M, D].</summary>
    public LatentDiffusionDraw FromImages(Tensor images, Tensor conditioning, Generator generator)
    {
        using var scope = TensorScope.Enter();
        var latents = EncodeLatents(images, generator);
        return FromLatents(latents, conditioning, generator).MoveToOuterScope();
    }

    /// <summary>The loss for latents z [B, C, h, w] (already scaled) under <paramref name="conditioning"/> [B, M, D].</summary>
    public LatentDiffusionDraw FromLatents(Tensor latents, Tensor conditioning, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentNullException.ThrowIfNull(conditioning);
        ArgumentNullException.ThrowIfNull(generator);
        if (conditioning.Shape[0] != latents.Shape[0])
        {
            throw new ArgumentException($"LatentDiffusionLoss: {latents.Shape[0]} latents but {conditioning.Shape[0]} conditionings.", nameof(conditioning));
        }

        using var scope = TensorScope.Enter();
        var b = latents.Shape[0];
        var noise = Tensor.Randn(latents.Shape, generator, DType.Float32, latents.Device);
        var timesteps = TorchRandom.RandInt(generator, 0, TrainTimesteps, b);
        var asDouble = timesteps.Select(t => (double)t).ToArray();
        Tensor noisy;
        using (GradMode.NoGrad())
        {
            noisy = Scheduler.AddNoise(latents, noise, asDouble);
        }

        var prediction = Unet.Forward(noisy, timesteps.Select(t => (float)t).ToArray(), conditioning);
        var weights = SnrGamma is { } gamma ? MinSnrWeighting.Weights(_alphasCumprod, timesteps, gamma) : Enumerable.Repeat(1f, b).ToArray();
        var loss = MinSnrWeighting.WeightedMse(prediction, noise, weights);
        return new LatentDiffusionDraw(loss.MoveToOuterScope(), timesteps, weights);
    }
}

/// <summary>The LDM loss (scalar) with the timesteps and weights it drew.</summary>
public sealed record LatentDiffusionDraw(Tensor Loss, long[] Timesteps, float[] Weights)
{
    /// <summary>Moves the loss tensor to the enclosing scope (as Tensor.MoveToOuterScope does).</summary>
    public LatentDiffusionDraw MoveToOuterScope()
    {
        Loss.MoveToOuterScope();
        return this;
    }
}
