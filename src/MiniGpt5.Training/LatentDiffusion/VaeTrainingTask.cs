using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>
/// Trains the KL autoencoder as Stable Diffusion's was, without its perceptual and adversarial terms (flat shapes on
/// flat backgrounds do not need them): loss = mean((decode(z) − x)²) + β·KL(q(z|x) ‖ N(0, I)), z drawn from the
/// posterior, the KL summed over latent elements and averaged over the batch and the image's pixels (so β compares
/// with SD's 1e-6 per-element weight on a summed loss). A small β keeps the latent space smooth without blurring.
/// </summary>
public sealed class VaeTrainingTask(AutoencoderKL vae, double klWeight = 1e-4) : ITrainingTask<NanoSdBatch>
{
    /// <summary>β: SD's 1e-6 on summed terms is this order once both terms are per-pixel means.</summary>
    public const double DefaultKlWeight = 1e-4;

    /// <summary>The autoencoder being trained.</summary>
    public AutoencoderKL Vae { get; } = vae ?? throw new ArgumentNullException(nameof(vae));

    /// <summary>β.</summary>
    public double KlWeight { get; } = klWeight;

    /// <inheritdoc />
    public LossResult Loss(NanoSdBatch batch, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        using var scope = TensorScope.Enter();
        using var posterior = Vae.Encode(batch.Images);
        var latents = posterior.Sample(context.Random);
        var reconstruction = Vae.Decode(latents);
        var mse = Ops.Mean(Ops.Pow(Ops.Sub(reconstruction, batch.Images), 2.0));
        // KL(N(μ, σ²) ‖ N(0, 1)) per element = ½(μ² + σ² − 1 − log σ²); summed per image, averaged over images and pixels.
        var kl = Ops.Mul(Ops.Sub(Ops.Add(Ops.Pow(posterior.Mean, 2.0), Ops.Exp(posterior.LogVar)), Ops.Add(posterior.LogVar, 1.0)), 0.5);
        var pixels = (double)batch.Images.NumElements;
        var klMean = Ops.Div(Ops.Sum(kl), pixels);
        var loss = Ops.Add(mse, Ops.Mul(klMean, KlWeight));
        var parts = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["mse"] = mse.Item<float>(),
            ["kl"] = klMean.Item<float>() * pixels / posterior.Mean.NumElements, // per latent element
        };
        return new LossResult(loss.MoveToOuterScope(), parts);
    }
}
