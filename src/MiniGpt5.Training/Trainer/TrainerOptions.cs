namespace MiniGpt5.Training.Trainer;

/// <summary>How a <see cref="Trainer{TBatch}"/> runs. Exactly one of <see cref="Steps"/> and <see cref="Epochs"/> sets
/// the length; one optimizer step consumes <see cref="AccumulationSteps"/> micro-batches of <see cref="BatchSize"/>.</summary>
public sealed record TrainerOptions
{
    /// <summary>Folder for checkpoints, logs and exports.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Number of optimizer steps (null: derived from <see cref="Epochs"/>).</summary>
    public long? Steps { get; init; }

    /// <summary>Number of passes over the training data (null: use <see cref="Steps"/>).</summary>
    public double? Epochs { get; init; }

    /// <summary>Items per micro-batch.</summary>
    public int BatchSize { get; init; } = 2;

    /// <summary>Micro-batches per optimizer step (the release: 48 / (2 × GPUs)).</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Seed of data order, augmentation and every random draw of the losses.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Shuffle the data each epoch (the release's DataLoader did not).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Validation loss every this many optimizer steps (0: only at the end, when there is validation data).</summary>
    public long ValidateEvery { get; init; }

    /// <summary>At most this many validation batches per evaluation (0: the whole set).</summary>
    public int ValidationBatches { get; init; }

    /// <summary>Checkpoint every this many optimizer steps (0: only at the end).</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>Checkpoints kept (older ones are deleted; at least 1).</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Continue from the latest checkpoint in <see cref="OutputDirectory"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>Clip the global gradient norm to this value (null: no clipping, as MiniGPT-5).</summary>
    public double? MaxGradNorm { get; init; }
}
