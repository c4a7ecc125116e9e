using MiniGpt5.Training.Data;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Recipe;

/// <summary>Tokenized MiniGPT-5 examples batched by the reference collator; each sample's flip draws come from the
/// batch seed and its place in the batch.</summary>
public sealed class ExampleBatchSource(IReadOnlyList<TokenizedSample> samples, MiniGpt5Collator collator) : IBatchSource<MiniGpt5Batch>
{
    private readonly IReadOnlyList<TokenizedSample> _samples = samples ?? throw new ArgumentNullException(nameof(samples));
    private readonly MiniGpt5Collator _collator = collator ?? throw new ArgumentNullException(nameof(collator));

    /// <inheritdoc />
    public int Count => _samples.Count;

    /// <inheritdoc />
    public Task<MiniGpt5Batch> LoadAsync(IReadOnlyList<int> indices, ulong seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var chosen = indices.Select(i => _samples[i]).ToList();
        var seeds = indices.Select((_, k) => EpochSampler.MixSeed(seed, (ulong)k, 0xF11F)).ToList();
        return _collator.CollateAsync(chosen, seeds, cancellationToken);
    }
}
