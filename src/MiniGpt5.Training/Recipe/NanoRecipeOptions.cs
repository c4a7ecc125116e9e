namespace MiniGpt5.Training.Recipe;

/// <summary>
/// Sizes and schedules of MiniGPT-5-nano (the shipped <c>models/nano</c>). The defaults are what the shipped model was
/// trained with; everything derives deterministically from <see cref="Seed"/>.
/// </summary>
public sealed record NanoRecipeOptions
{
    /// <summary>Seed of the data, the initialisation and every draw of the training.</summary>
    public ulong Seed { get; init; }

    /// <summary>Caption–image pairs written for stage 1 (train split).</summary>
    public int Captions { get; init; } = 4000;

    /// <summary>Stories written for stage 2 and LLM pre-training (train split).</summary>
    public int Stories { get; init; } = 2000;

    /// <summary>LLM width.</summary>
    public int Hidden { get; init; } = 128;

    /// <summary>LLM decoder layers.</summary>
    public int Layers { get; init; } = 4;

    /// <summary>LLM attention heads.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>LLM SwiGLU width.</summary>
    public int Intermediate { get; init; } = 352;

    /// <summary>Pre-training optimizer steps.</summary>
    public long PretrainSteps { get; init; } = 400;

    /// <summary>Pre-training sequences per step.</summary>
    public int PretrainBatch { get; init; } = 8;

    /// <summary>Pre-training peak learning rate.</summary>
    public double PretrainLearningRate { get; init; } = 3e-3;

    /// <summary>Stage-1 optimizer steps.</summary>
    public long Stage1Steps { get; init; } = 1200;

    /// <summary>Stage-1 batch.</summary>
    public int Stage1Batch { get; init; } = 8;

    /// <summary>Stage-2 optimizer steps.</summary>
    public long Stage2Steps { get; init; } = 400;

    /// <summary>Stage-2 batch.</summary>
    public int Stage2Batch { get; init; } = 8;

    /// <summary>Base learning rate of both stages (MiniGPT-5: 2e-5 for a 7B model; fc, queries and mapper ×10 in stage 1).</summary>
    public double StageLearningRate { get; init; } = 5e-4;

    /// <summary>Multiplier of the new token rows' learning rate (the release: 1; see MiniGpt5StageOptions).</summary>
    public double TokenRowLearningRateScale { get; init; } = 20;

    /// <summary>Mapper transformer encoder and decoder layers (MiniGPT-5: 4 and 4).</summary>
    public int MapperLayers { get; init; } = 1;

    /// <summary>Mapper attention heads (MiniGPT-5: 8).</summary>
    public int MapperHeads { get; init; } = 4;

    /// <summary>Log every this many steps.</summary>
    public int LogEvery { get; init; } = 10;
}
