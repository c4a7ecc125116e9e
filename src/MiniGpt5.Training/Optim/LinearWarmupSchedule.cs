namespace MiniGpt5.Training.Optim;

/// <summary>
/// transformers' get_linear_schedule_with_warmup as a LambdaLR factor: step/warmup during warmup, then a linear
/// decay to 0 at <see cref="TotalSteps"/>. Optimizer step k (0-based) uses base_lr·Factor(k), so the very first
/// step has learning rate 0 when there is a warmup, exactly as with torch's LambdaLR.
/// </summary>
public sealed record LinearWarmupSchedule(long WarmupSteps, long TotalSteps) : ILearningRateSchedule
{
    /// <inheritdoc />
    public double Factor(long step)
    {
        if (step < WarmupSteps)
        {
            return (double)step / Math.Max(1, WarmupSteps);
        }

        return Math.Max(0.0, (double)(TotalSteps - step) / Math.Max(1, TotalSteps - WarmupSteps));
    }
}
