namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>How <see cref="NanoSdTraining"/> trains MiniGPT-5-nano's latent-diffusion model from scratch.</summary>
public sealed record NanoSdTrainingOptions
{
    /// <summary>Run folder: tokenizer/, vae/ and unet/ checkpoints (resumable), and the exported model.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Where the diffusers folder is written at the end (default: OUT/stable-diffusion).</summary>
    public string? ExportDirectory { get; init; }

    /// <summary>Seed of the initial weights, data order and every random draw.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Seed of the nano world the examples come from (as `minigpt5 dataset nano --seed`).</summary>
    public ulong WorldSeed { get; init; }

    /// <summary>Training caption samples (the train split's first N).</summary>
    public int Captions { get; init; } = 20000;

    /// <summary>Training stories whose steps are added as examples.</summary>
    public int Stories { get; init; } = 2000;

    /// <summary>Autoencoder optimizer steps (2,500: colours reconstruct; at 800 the VAE still shifted them).</summary>
    public long VaeSteps { get; init; } = 2500;

    /// <summary>Autoencoder batch size.</summary>
    public int VaeBatchSize { get; init; } = 8;

    /// <summary>Autoencoder peak learning rate.</summary>
    public double VaeLearningRate { get; init; } = 3e-3;

    /// <summary>Side of the random crop the autoencoder trains on (0: whole images).</summary>
    public int VaeCrop { get; init; } = 32;

    /// <summary>Text encoder + UNet optimizer steps (8,000 × 32 pairs, about nine epochs: the shipped model's).</summary>
    public long Steps { get; init; } = 8000;

    /// <summary>Text encoder + UNet batch size.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Text encoder + UNet peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Warmup steps of each phase's linear schedule (at most a tenth of the phase).</summary>
    public long WarmupSteps { get; init; } = 100;

    /// <summary>Probability that a caption is replaced by "" (classifier-free guidance).</summary>
    public double UnconditionalProbability { get; init; } = TextToImageTrainingTask.DefaultUnconditionalProbability;

    /// <summary>Checkpoint every this many steps in each phase.</summary>
    public long CheckpointEvery { get; init; } = 100;

    /// <summary>Continue from the latest checkpoints in <see cref="OutputDirectory"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>Sizes of the model.</summary>
    public NanoSdArchitecture Architecture { get; init; } = NanoSdArchitecture.Default;

    /// <summary>The export folder in effect.</summary>
    public string ExportFolder => ExportDirectory ?? Path.Combine(OutputDirectory, "stable-diffusion");
}
