using System.Text.Json.Serialization;

namespace MiniGpt5.Training.Trainer;

/// <summary>
/// The trainer's own state in a checkpoint (trainer_state.json): how far it got and the settings that must not
/// change for a resume to continue exactly (seed, batching, data size).
/// </summary>
public sealed record TrainerState
{
    /// <summary>Identifies the file.</summary>
    [JsonPropertyName("format")]
    public string Format { get; init; } = "minigpt5-trainer";

    /// <summary>Layout version of this file.</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; } = 1;

    /// <summary>Optimizer steps completed.</summary>
    [JsonPropertyName("step")]
    public long Step { get; init; }

    /// <summary>Optimizer steps planned when this was written.</summary>
    [JsonPropertyName("total_steps")]
    public long TotalSteps { get; init; }

    /// <summary>The run's seed.</summary>
    [JsonPropertyName("seed")]
    public ulong Seed { get; init; }

    /// <summary>Items per micro-batch.</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; init; }

    /// <summary>Micro-batches per step.</summary>
    [JsonPropertyName("accumulation_steps")]
    public int AccumulationSteps { get; init; }

    /// <summary>Whether epochs are shuffled.</summary>
    [JsonPropertyName("shuffle")]
    public bool Shuffle { get; init; }

    /// <summary>Number of training items.</summary>
    [JsonPropertyName("train_items")]
    public int TrainItems { get; init; }

    /// <summary>Mean loss of the last step.</summary>
    [JsonPropertyName("last_loss")]
    public double? LastLoss { get; init; }

    /// <summary>Last validation loss.</summary>
    [JsonPropertyName("last_validation_loss")]
    public double? LastValidationLoss { get; init; }

    /// <summary>Names of the trainable parameters saved beside this file.</summary>
    [JsonPropertyName("parameters")]
    public IReadOnlyList<string> Parameters { get; init; } = [];
}
