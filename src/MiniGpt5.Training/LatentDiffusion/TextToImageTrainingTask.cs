using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Losses;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>
/// Trains the text encoder and the UNet together on text-image pairs, with the VAE frozen: z = posterior sample ×
/// scaling factor, the text replaced by "" with probability <see cref="UnconditionalProbability"/> (so the same model
/// gives the unconditional prediction classifier-free guidance needs, and "" is exactly the negative prompt the
/// pipeline encodes), then MiniGPT-5's LDM loss: ε-prediction, t ~ U{0..999}, min-SNR-γ weighting.
/// </summary>
public sealed class TextToImageTrainingTask : ITrainingTask<NanoSdBatch>
{
    /// <summary>MiniGPT-5's voken dropout rate, used here for the captions.</summary>
    public const double DefaultUnconditionalProbability = 0.1;

    private readonly NanoSdModel _model;
    private readonly LatentDiffusionLoss _loss;
    private readonly int[] _emptyIds;

    /// <summary>A task over <paramref name="model"/> (its VAE frozen) with <paramref name="scheduler"/>'s noise schedule.</summary>
    public TextToImageTrainingTask(NanoSdModel model, IDiffusionScheduler scheduler, double unconditionalProbability = DefaultUnconditionalProbability, double? snrGamma = MinSnrWeighting.DefaultGamma)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(unconditionalProbability, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(unconditionalProbability, 1.0);
        _model = model;
        _loss = new LatentDiffusionLoss(model.Unet, vae: null, scheduler, snrGamma);
        _emptyIds = model.Tokenizer.EncodeForModel(string.Empty).InputIds;
        UnconditionalProbability = unconditionalProbability;
    }

    /// <summary>Probability that a sample's text is replaced by "".</summary>
    public double UnconditionalProbability { get; }

    /// <inheritdoc />
    public LossResult Loss(NanoSdBatch batch, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        using var scope = TensorScope.Enter();
        Tensor latents;
        using (GradMode.NoGrad())
        using (var posterior = _model.Vae.Encode(batch.Images))
        {
            latents = Ops.Mul(posterior.Sample(context.Random), _model.ScalingFactor);
        }

        // Draw the dropout decisions before the loss's own draws, in sample order.
        var rows = new List<int[]>(batch.Texts.Count);
        var dropped = 0;
        foreach (var text in batch.Texts)
        {
            var drop = context.Training && context.Random.NextDouble() < UnconditionalProbability;
            dropped += drop ? 1 : 0;
            rows.Add(drop ? _emptyIds : _model.Tokenizer.EncodeForModel(text).InputIds);
        }

        var ids = Tensor.FromArray<int>(rows.SelectMany(r => r).ToArray(), [rows.Count, rows[0].Length]);
        var conditioning = _model.TextEncoder.Forward(ids);
        var draw = _loss.FromLatents(latents, conditioning, context.Random);
        var parts = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["ldm"] = draw.Loss.Item<float>(),
            ["uncond"] = dropped / (double)rows.Count,
        };
        return new LossResult(draw.Loss.MoveToOuterScope(), parts);
    }
}
