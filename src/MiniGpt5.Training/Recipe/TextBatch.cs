using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Recipe;

/// <summary>A right-padded batch of token sequences: ids [B, L] (int64) and labels [B, L] (−100 on padding).</summary>
public sealed class TextBatch(Tensor ids, Tensor labels) : IDisposable
{
    /// <summary>Token ids [B, L].</summary>
    public Tensor Ids { get; } = ids ?? throw new ArgumentNullException(nameof(ids));

    /// <summary>Targets [B, L]; the causal-LM loss shifts them by one.</summary>
    public Tensor Labels { get; } = labels ?? throw new ArgumentNullException(nameof(labels));

    /// <inheritdoc />
    public void Dispose()
    {
        Ids.Dispose();
        Labels.Dispose();
    }
}
