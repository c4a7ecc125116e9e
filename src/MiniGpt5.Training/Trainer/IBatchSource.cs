namespace MiniGpt5.Training.Trainer;

/// <summary>A dataset the trainer can batch: its size and a way to build the batch of given item indices.</summary>
public interface IBatchSource<TBatch>
    where TBatch : IDisposable
{
    /// <summary>Number of items.</summary>
    int Count { get; }

    /// <summary>Builds the batch of <paramref name="indices"/>; <paramref name="seed"/> seeds its augmentation.</summary>
    Task<TBatch> LoadAsync(IReadOnlyList<int> indices, ulong seed, CancellationToken cancellationToken);
}
