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
/// <remarks>With <see cref="CropSize"/> set, each batch trains on one random crop window (a multiple of the VAE's scale
/// factor, at a position on the latent grid), as SD trained its autoencoder on 256-pixel crops: the network is
/// convolutional, and a 32-pixel crop costs a quarter of the full 64-pixel image.</remarks>
public sealed class VaeTrainingTask(AutoencoderKL vae, double klWeight = 1e-4, int cropSize = 0) : ITrainingTask<NanoSdBatch>
{
    /// <summary>β: SD's 1e-6 on summed terms is this order once both terms are per-pixel means.</summary>
    public const double DefaultKlWeight = 1e-4;

    /// <summary>The autoencoder being trained.</summary>
    public AutoencoderKL Vae { get; } = vae ?? throw new ArgumentNullException(nameof(vae));

    /// <summary>β.</summary>
    public double KlWeight { get; } = klWeight;

    /// <summary>Side of the training crop (0: whole images).</summary>
    public int CropSize { get; } = cropSize;

    /// <inheritdoc />
    public LossResult Loss(NanoSdBatch batch, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        using var scope = TensorScope.Enter();
        var images = Crop(batch.Images, context.Random);
        using var posterior = Vae.Encode(images);
        var latents = posterior.Sample(context.Random);
        var reconstruction = Vae.Decode(latents);
        var mse = Ops.Mean(Ops.Pow(Ops.Sub(reconstruction, images), 2.0));
        // KL(N(μ, σ²) ‖ N(0, 1)) per element = ½(μ² + σ² − 1 − log σ²); summed per image, averaged over images and pixels.
        var kl = Ops.Mul(Ops.Sub(Ops.Add(Ops.Pow(posterior.Mean, 2.0), Ops.Exp(posterior.LogVar)), Ops.Add(posterior.LogVar, 1.0)), 0.5);
        var pixels = (double)images.NumElements;
        var klMean = Ops.Div(Ops.Sum(kl), pixels);
        var loss = Ops.Add(mse, Ops.Mul(klMean, KlWeight));
        var parts = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["mse"] = mse.Item<float>(),
            ["kl"] = klMean.Item<float>() * pixels / posterior.Mean.NumElements, // per latent element
        };
        return new LossResult(loss.MoveToOuterScope(), parts);
    }

    private Tensor Crop(Tensor images, Generator random)
    {
        int height = images.Shape[2], width = images.Shape[3];
        if (CropSize <= 0 || (CropSize >= height && CropSize >= width))
        {
            return images.Alias();
        }

        var grid = Vae.Config.ScaleFactor;
        var y = (int)(random.NextUInt32() % (uint)(((height - CropSize) / grid) + 1)) * grid;
        var x = (int)(random.NextUInt32() % (uint)(((width - CropSize) / grid) + 1)) * grid;
        // [B, 3, H, W] → [B, 3, crop, crop]
        return images.Narrow(2, y, CropSize).Narrow(3, x, CropSize).Contiguous();
    }
}
