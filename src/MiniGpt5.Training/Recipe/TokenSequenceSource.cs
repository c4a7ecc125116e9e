using MiniGpt5.Tensors;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Recipe;

/// <summary>Token sequences batched for next-token training: right-padded with <paramref name="padId"/>, every real
/// token supervised, padding labelled −100.</summary>
public sealed class TokenSequenceSource(IReadOnlyList<int[]> sequences, int padId) : IBatchSource<TextBatch>
{
    private readonly IReadOnlyList<int[]> _sequences = sequences ?? throw new ArgumentNullException(nameof(sequences));

    /// <inheritdoc />
    public int Count => _sequences.Count;

    /// <summary>The longest sequence.</summary>
    public int MaxLength => _sequences.Count == 0 ? 0 : _sequences.Max(s => s.Length);

    /// <inheritdoc />
    public Task<TextBatch> LoadAsync(IReadOnlyList<int> indices, ulong seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indices);
        cancellationToken.ThrowIfCancellationRequested();
        var length = indices.Max(i => _sequences[i].Length);
        var ids = new long[indices.Count * length];
        var labels = new long[indices.Count * length];
        for (var b = 0; b < indices.Count; b++)
        {
            var sequence = _sequences[indices[b]];
            for (var t = 0; t < length; t++)
            {
                var real = t < sequence.Length;
                ids[(b * length) + t] = real ? sequence[t] : padId;
                labels[(b * length) + t] = real ? sequence[t] : TokenizedSample.IgnoreIndex;
            }
        }

        return Task.FromResult(new TextBatch(
            Tensor.FromArray<long>(ids, [indices.Count, length]).DetachFromScope(),
            Tensor.FromArray<long>(labels, [indices.Count, length]).DetachFromScope()));
    }
}
