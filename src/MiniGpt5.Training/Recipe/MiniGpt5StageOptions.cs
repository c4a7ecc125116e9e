using MiniGpt5.Models.Llama;
using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Recipe;

/// <summary>
/// How one MiniGPT-5 stage trains. Defaults are the release's optimiser (MODEL_SPEC §3.5): AdamW lr 2e-5, weight decay
/// 0.01, fc/queries/mapper ×10 in stage 1, linear warmup (1000 steps, capped at a tenth of the run) then linear decay,
/// LoRA r 8 / α 16 on q and v, no clipping, batch 2.
/// </summary>
public sealed record MiniGpt5StageOptions
{
    /// <summary>Run folder: trainer checkpoints under checkpoints/, the exported model folder under model/.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Optimizer steps.</summary>
    public long Steps { get; init; } = 1000;

    /// <summary>Samples per micro-batch.</summary>
    public int BatchSize { get; init; } = 2;

    /// <summary>Micro-batches per step.</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Base learning rate (LLM rows and LoRA; the stage-2 mapper).</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>
    /// Multiplier of the embedding and LM head (whose new rows alone learn) over <see cref="LearningRate"/>; the release
    /// trains them at the base rate (1), a model trained for minutes needs its new rows to move faster.
    /// </summary>
    public double TokenRowLearningRateScale { get; init; } = 1;

    /// <summary>Multiplier of fc, queries and mapper in stage 1.</summary>
    public double MapperLearningRateScale { get; init; } = 10;

    /// <summary>Warmup steps (capped at a tenth of <see cref="Steps"/>).</summary>
    public long WarmupSteps { get; init; } = 1000;

    /// <summary>AdamW weight decay of every group.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Global gradient-norm clip, or null.</summary>
    public double? MaxGradNorm { get; init; }

    /// <summary>Seed of the data order, initialisation and every draw.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>The losses.</summary>
    public MiniGpt5StageSettings Settings { get; init; } = new();

    /// <summary>Stage-2 adapters (MiniGPT-5: r 8, α 16, q_proj and v_proj).</summary>
    public LoraConfig Lora { get; init; } = LoraConfig.MiniGpt5;

    /// <summary>Horizontal flips of target images (the release: yes; the nano world: never, it swaps left and right).</summary>
    public bool RandomFlip { get; init; } = true;

    /// <summary>Continue from the latest checkpoint in the run folder.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>Checkpoint every this many steps (0: only at the end).</summary>
    public long CheckpointEvery { get; init; } = 100;

    /// <summary>Validation loss every this many steps (0: at the end) when validation data is given.</summary>
    public long ValidateEvery { get; init; }

    /// <summary>At most this many validation batches.</summary>
    public int ValidationBatches { get; init; } = 4;

    /// <summary>dtype of the exported checkpoint (the release: float32).</summary>
    public DType ExportDType { get; init; } = DType.Float32;
}
