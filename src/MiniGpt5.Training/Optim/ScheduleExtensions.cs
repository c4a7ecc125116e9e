namespace MiniGpt5.Training.Optim;

/// <summary>Applies a schedule to an optimizer's groups.</summary>
public static class ScheduleExtensions
{
    /// <summary>Sets every group's learning rate for optimizer step <paramref name="step"/>.</summary>
    public static void Apply(this ILearningRateSchedule schedule, AdamW optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(optimizer);
        var factor = schedule.Factor(step);
        foreach (var group in optimizer.Groups)
        {
            group.LearningRate = group.BaseLearningRate * factor;
        }
    }
}
