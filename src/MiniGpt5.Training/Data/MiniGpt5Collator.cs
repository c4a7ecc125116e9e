using MiniGpt5.Imaging.Tensors;
using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Data;

/// <summary>
/// Loads the images of tokenised samples and collates them like the release's DataCollator: right padding with
/// <see cref="PadId"/> (2, "&lt;/s&gt;") for ids, −100 for labels and 0 for the attention mask.
/// </summary>
public sealed class MiniGpt5Collator(ImagePreprocessing images, int padId = 2)
{
    /// <summary>The pad id (MiniGPT-5 pads with eos = 2).</summary>
    public int PadId { get; } = padId;

    /// <summary>Image sizes and augmentation.</summary>
    public ImagePreprocessing Images { get; } = images ?? throw new ArgumentNullException(nameof(images));

    /// <summary>Builds the batch; <paramref name="flipSeeds"/> seeds each sample's flips (one per sample, so a
    /// resumed run draws the same flips).</summary>
    public async Task<MiniGpt5Batch> CollateAsync(IReadOnlyList<TokenizedSample> samples, IReadOnlyList<ulong> flipSeeds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(flipSeeds);
        if (samples.Count == 0 || flipSeeds.Count != samples.Count)
        {
            throw new ArgumentException($"Collate needs at least one sample and one flip seed per sample ({samples.Count} samples, {flipSeeds.Count} seeds).");
        }

        var b = samples.Count;
        var length = samples.Max(s => s.InputIds.Length);
        var ids = new long[b * length];
        var labels = new long[b * length];
        var mask = new long[b * length];
        for (var i = 0; i < b; i++)
        {
            var sample = samples[i];
            for (var t = 0; t < length; t++)
            {
                var real = t < sample.InputIds.Length;
                ids[(i * length) + t] = real ? sample.InputIds[t] : PadId;
                labels[(i * length) + t] = real ? sample.Labels[t] : TokenizedSample.IgnoreIndex;
                mask[(i * length) + t] = real ? 1 : 0;
            }
        }

        var inputStacks = new List<Tensor>(b);
        var outputs = new float[b][];
        try
        {
            for (var i = 0; i < b; i++)
            {
                var flips = new Generator(flipSeeds[i]);
                var paths = samples[i].Example.InputImagePaths;
                var planes = new List<PlanarImage>(paths.Count);
                foreach (var path in paths)
                {
                    planes.Add(await Images.LoadInputAsync(path, flips, cancellationToken).ConfigureAwait(false));
                }

                inputStacks.Add(Stack(planes, Images.InputSize));
                outputs[i] = (await Images.LoadOutputAsync(samples[i].Example.OutputImagePath, flips, cancellationToken).ConfigureAwait(false)).Data;
            }

            var outputData = new float[b * 3 * Images.OutputSize * Images.OutputSize];
            for (var i = 0; i < b; i++)
            {
                outputs[i].CopyTo(outputData, i * outputs[i].Length);
            }

            return new MiniGpt5Batch(
                Tensor.FromArray<long>(ids, [b, length]).DetachFromScope(),
                Tensor.FromArray<long>(labels, [b, length]).DetachFromScope(),
                Tensor.FromArray<long>(mask, [b, length]).DetachFromScope(),
                inputStacks,
                Tensor.FromArray<float>(outputData, [b, 3, Images.OutputSize, Images.OutputSize]).DetachFromScope(),
                samples);
        }
        catch
        {
            foreach (var stack in inputStacks)
            {
                stack.Dispose();
            }

            throw;
        }
    }

    private static Tensor Stack(List<PlanarImage> planes, int size)
    {
        var data = new float[planes.Count * 3 * size * size];
        for (var i = 0; i < planes.Count; i++)
        {
            planes[i].Data.CopyTo(data, i * 3 * size * size);
        }

        return Tensor.FromArray<float>(data, [planes.Count, 3, size, size]).DetachFromScope();
    }
}
