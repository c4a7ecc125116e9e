using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Data;

/// <summary>
/// A collated batch (the release's DataCollator): ids right-padded with the pad id, labels with −100, the attention
/// mask with 0 (all [B, L] int64); one stack of input images per sample ([n, 3, s, s]); the target images
/// concatenated ([B, 3, S, S]); captions and the examples they came from.
/// </summary>
public sealed class MiniGpt5Batch : IDisposable
{
    /// <summary>Assembles a batch; it owns (and disposes) every tensor given.</summary>
    public MiniGpt5Batch(
        Tensor inputIds, Tensor labels, Tensor attentionMask, IReadOnlyList<Tensor> inputImages, Tensor outputImages,
        IReadOnlyList<TokenizedSample> samples)
    {
        InputIds = inputIds;
        Labels = labels;
        AttentionMask = attentionMask;
        InputImages = inputImages;
        OutputImages = outputImages;
        Samples = samples;
    }

    /// <summary>[B, L] int64.</summary>
    public Tensor InputIds { get; }

    /// <summary>[B, L] int64, −100 where unsupervised.</summary>
    public Tensor Labels { get; }

    /// <summary>[B, L] int64, 1 for real tokens, 0 for padding.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>Per sample, [n_i, 3, s, s] float32 (n_i ≥ 1: the placeholder when the prompt shows none).</summary>
    public IReadOnlyList<Tensor> InputImages { get; }

    /// <summary>[B, 3, S, S] float32 in [-1, 1] (zeros for samples without a target image).</summary>
    public Tensor OutputImages { get; }

    /// <summary>The tokenised samples, in batch order.</summary>
    public IReadOnlyList<TokenizedSample> Samples { get; }

    /// <summary>Batch size.</summary>
    public int Count => Samples.Count;

    /// <summary>Captions for the caption-alignment loss (null entries outside CC3M).</summary>
    public IReadOnlyList<string?> Captions => Samples.Select(s => s.Example.Caption).ToList();

    /// <inheritdoc />
    public void Dispose()
    {
        InputIds.Dispose();
        Labels.Dispose();
        AttentionMask.Dispose();
        foreach (var stack in InputImages)
        {
            stack.Dispose();
        }

        OutputImages.Dispose();
    }
}
