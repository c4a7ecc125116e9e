namespace MiniGpt5.Training.Optim;

/// <summary>A learning-rate multiplier per optimizer step (torch's LambdaLR).</summary>
public interface ILearningRateSchedule
{
    /// <summary>The factor applied to each group's base learning rate for optimizer step <paramref name="step"/> (0-based).</summary>
    double Factor(long step);
}
