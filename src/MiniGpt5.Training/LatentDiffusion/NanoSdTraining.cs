using System.Globalization;
using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.Optim;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>
/// Trains MiniGPT-5-nano's latent-diffusion model from scratch with our trainer, in two resumable phases like Stable
/// Diffusion: (1) the KL autoencoder on the world's images, then the latent scaling factor 1/std(z) measured on a
/// fixed set of images; (2) text encoder and UNet together on text-image pairs with the VAE frozen. Then writes the
/// diffusers folder. Everything is a function of the options (seeds included), so a run reproduces the shipped weights.
/// </summary>
public static class NanoSdTraining
{
    /// <summary>Images the scaling factor is measured on.</summary>
    public const int ScalingImages = 256;

    /// <summary>Runs both phases (resuming where checkpoints exist when asked) and exports the folder.</summary>
    public static async Task<NanoSdModel> RunAsync(NanoSdTrainingOptions options, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var model = await CreateModelAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            var data = new NanoSdDataSource(options.WorldSeed, NanoSplit.Train, options.Captions, options.Stories);
            var validation = new NanoSdDataSource(options.WorldSeed, NanoSplit.Val, 256, 0);
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"nano-sd: {data.Count} training pairs; vae {Count(model.Vae)} parameters, unet {Count(model.Unet)}, text encoder {Count(model.TextEncoder)}")).ConfigureAwait(false);

            var vaeGroups = new[] { new ParameterGroup("vae", Prefixed("vae.", model.Vae), options.VaeLearningRate) };
            var vaeTrainer = new Trainer<NanoSdBatch>(
                PhaseOptions(options, "vae", options.VaeSteps, options.VaeBatchSize),
                vaeGroups,
                new VaeTrainingTask(model.Vae),
                data,
                validation,
                new LinearWarmupSchedule(Math.Min(options.WarmupSteps, options.VaeSteps / 10), options.VaeSteps));
            await vaeTrainer.RunAsync(Reporter(log, "vae"), cancellationToken).ConfigureAwait(false);
            model.Vae.SetTrainable(false);
            Freeze(model.Vae);

            model.ScalingFactor = MeasureScalingFactor(model, data, options.Seed);
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"nano-sd: latent scaling factor {model.ScalingFactor:G6}")).ConfigureAwait(false);

            using var scheduler = Models.StableDiffusion.Schedulers.SchedulerFactory.Create("ddim", NanoSdArchitecture.Scheduler());
            var groups = new[]
            {
                new ParameterGroup("unet", Prefixed("unet.", model.Unet), options.LearningRate),
                new ParameterGroup("text_encoder", Prefixed("text_encoder.", model.TextEncoder), options.LearningRate),
            };
            var trainer = new Trainer<NanoSdBatch>(
                PhaseOptions(options, "ldm", options.Steps, options.BatchSize),
                groups,
                new TextToImageTrainingTask(model, scheduler, options.UnconditionalProbability),
                data,
                validation,
                new LinearWarmupSchedule(Math.Min(options.WarmupSteps, options.Steps / 10), options.Steps));
            await trainer.RunAsync(Reporter(log, "ldm"), cancellationToken).ConfigureAwait(false);
            await model.SaveAsync(options.ExportFolder, cancellationToken).ConfigureAwait(false);
            await log.WriteLineAsync($"nano-sd: wrote {options.ExportFolder}").ConfigureAwait(false);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Exports the diffusers folder from the latest checkpoints of a run in <see cref="NanoSdTrainingOptions.OutputDirectory"/>
    /// (which may still be training): the last VAE checkpoint and the last text-to-image checkpoint, if any.
    /// </summary>
    public static async Task<(long VaeStep, long Step)> ExportLatestAsync(NanoSdTrainingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var model = await CreateModelAsync(options, cancellationToken).ConfigureAwait(false);
        var vae = new CheckpointStore(Path.Combine(options.OutputDirectory, "vae")).Latest()
            ?? throw new InvalidOperationException($"No VAE checkpoint under {Path.Combine(options.OutputDirectory, "vae", "checkpoints")}.");
        CheckpointStore.LoadParameters(Path.Combine(vae.Path, CheckpointStore.ModelFile), Prefixed("vae.", model.Vae));
        var data = new NanoSdDataSource(options.WorldSeed, NanoSplit.Train, options.Captions, options.Stories);
        model.ScalingFactor = MeasureScalingFactor(model, data, options.Seed);
        var ldm = new CheckpointStore(Path.Combine(options.OutputDirectory, "ldm")).Latest();
        if (ldm is { } latest)
        {
            var parameters = Prefixed("unet.", model.Unet).Concat(Prefixed("text_encoder.", model.TextEncoder)).ToList();
            CheckpointStore.LoadParameters(Path.Combine(latest.Path, CheckpointStore.ModelFile), parameters);
        }

        await model.SaveAsync(options.ExportFolder, cancellationToken).ConfigureAwait(false);
        return (vae.Step, ldm?.Step ?? 0);
    }

    /// <summary>
    /// 1/std of posterior samples of the first <see cref="ScalingImages"/> training images (SD measured its 0.18215 the
    /// same way), so the diffusion sees unit-variance latents.
    /// </summary>
    public static double MeasureScalingFactor(NanoSdModel model, NanoSdDataSource data, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        using var noGrad = GradMode.NoGrad();
        var generator = new Generator(seed ^ 0x5CA1E);
        double sum = 0, sumSquares = 0;
        long count = 0;
        var items = Math.Min(ScalingImages, data.Count);
        for (var start = 0; start < items; start += 32)
        {
            using var scope = TensorScope.Enter();
            var indices = Enumerable.Range(start, Math.Min(32, items - start)).ToList();
            using var batch = NanoSdDataSource.Render(indices.Select(i => data.Examples[i].Scene).ToList(), indices.Select(i => data.Examples[i].Text).ToList());
            using var posterior = model.Vae.Encode(batch.Images);
            foreach (var v in posterior.Sample(generator).ToFloatArray())
            {
                sum += v;
                sumSquares += (double)v * v;
                count++;
            }
        }

        var mean = sum / count;
        var std = Math.Sqrt(Math.Max((sumSquares / count) - (mean * mean), 1e-12));
        return 1.0 / std;
    }

    private static async Task<NanoSdModel> CreateModelAsync(NanoSdTrainingOptions options, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        return await NanoSdModel.CreateAsync(options.Architecture, options.Seed, Path.Combine(options.OutputDirectory, "tokenizer"), cancellationToken).ConfigureAwait(false);
    }

    private static TrainerOptions PhaseOptions(NanoSdTrainingOptions options, string phase, long steps, int batchSize) => new()
    {
        OutputDirectory = Path.Combine(options.OutputDirectory, phase),
        Steps = steps,
        BatchSize = batchSize,
        Seed = options.Seed,
        Shuffle = true,
        CheckpointEvery = options.CheckpointEvery,
        KeepCheckpoints = 2,
        Resume = options.Resume,
        MaxGradNorm = 1.0,
        ValidateEvery = Math.Max(options.CheckpointEvery * 5, 1),
        ValidationBatches = 4,
    };

    private static List<(string Name, Parameter Parameter)> Prefixed(string prefix, Module module) =>
        module.NamedParameters().Select(p => (prefix + p.Name, p.Parameter)).ToList();

    private static void Freeze(Module module)
    {
        foreach (var (_, parameter) in module.NamedParameters())
        {
            parameter.Value.RequiresGrad = false;
        }
    }

    private static long Count(Module module) => module.ParameterCount();

    private static Progress<TrainingProgress> Reporter(TextWriter log, string phase) => new SynchronousProgress(log, phase);

    /// <summary>Writes each report as one line, on the reporting thread (Progress&lt;T&gt; would post to the thread pool
    /// and could reorder lines).</summary>
    private sealed class SynchronousProgress(TextWriter log, string phase) : Progress<TrainingProgress>
    {
        protected override void OnReport(TrainingProgress value)
        {
            var parts = string.Join(" ", value.Components.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}={c.Value:F4}")));
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{DateTime.UtcNow:HH:mm:ss} {phase} step {value.Step}/{value.TotalSteps} loss {value.Loss:F5} {parts} lr {value.LearningRate:G3} {value.StepsPerSecond:F3} steps/s");
            if (value.ValidationLoss is { } validation)
            {
                line += string.Create(CultureInfo.InvariantCulture, $" val {validation:F5}");
            }

            if (value.Checkpoint is { } checkpoint)
            {
                line += " checkpoint " + checkpoint;
            }

            log.WriteLine(line);
            log.Flush();
        }
    }
}
