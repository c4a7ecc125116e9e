using MiniGpt5.Tensors;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>A micro-batch: images [B, 3, 64, 64] in [-1, 1] and the texts that describe them.</summary>
public sealed class NanoSdBatch(Tensor images, IReadOnlyList<string> texts) : IDisposable
{
    /// <summary>[B, 3, H, W] float32 in [-1, 1].</summary>
    public Tensor Images { get; } = images ?? throw new ArgumentNullException(nameof(images));

    /// <summary>One text per image.</summary>
    public IReadOnlyList<string> Texts { get; } = texts ?? throw new ArgumentNullException(nameof(texts));

    /// <inheritdoc />
    public void Dispose() => Images.Dispose();
}
