namespace MiniGpt5.Training.Trainer;

/// <summary>
/// What a <see cref="Trainer{TBatch}"/> trains: the loss of one micro-batch, computed with engine ops under the
/// trainer's gradient tape. The task draws all its randomness (noise, timesteps, dropout) from
/// <see cref="StepContext.Random"/>, which the trainer seeds from (seed, step, micro-batch) so that a resumed run
/// repeats the same draws.
/// </summary>
public interface ITrainingTask<in TBatch>
{
    /// <summary>The scalar loss of <paramref name="batch"/> and its named parts (for logs).</summary>
    LossResult Loss(TBatch batch, StepContext context);
}
