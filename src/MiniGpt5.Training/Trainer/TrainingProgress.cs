namespace MiniGpt5.Training.Trainer;

/// <summary>Reported after every optimizer step and every validation.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Optimizer steps planned.</param>
/// <param name="Epoch">Fractional epoch reached.</param>
/// <param name="Loss">Mean training loss of the step's micro-batches.</param>
/// <param name="Components">Mean loss parts of the step.</param>
/// <param name="LearningRate">Learning rate of the first group for this step.</param>
/// <param name="StepsPerSecond">Optimizer steps per second since the run (or resume) started.</param>
/// <param name="ValidationLoss">Set when this report follows a validation.</param>
/// <param name="Checkpoint">Set when a checkpoint was just written (its folder).</param>
public sealed record TrainingProgress(
    long Step,
    long TotalSteps,
    double Epoch,
    double Loss,
    IReadOnlyDictionary<string, double> Components,
    double LearningRate,
    double StepsPerSecond,
    double? ValidationLoss = null,
    string? Checkpoint = null);
