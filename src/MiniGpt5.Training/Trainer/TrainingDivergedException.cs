namespace MiniGpt5.Training.Trainer;

/// <summary>The loss became NaN or infinite; training stops before the parameters are touched.</summary>
public sealed class TrainingDivergedException(long step, double loss, string detail)
    : Exception($"Training diverged at step {step}: the loss is {loss}. {detail}")
{
    /// <summary>Optimizer step at which it happened.</summary>
    public long Step { get; } = step;
}
