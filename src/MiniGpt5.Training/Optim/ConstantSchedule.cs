namespace MiniGpt5.Training.Optim;

/// <summary>The base learning rate at every step.</summary>
public sealed record ConstantSchedule : ILearningRateSchedule
{
    /// <inheritdoc />
    public double Factor(long step) => 1.0;
}
