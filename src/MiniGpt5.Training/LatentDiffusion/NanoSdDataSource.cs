using MiniGpt5.Imaging.Tensors;
using MiniGpt5.Tensors;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>
/// Text-image pairs of the nano world for text-to-image training, rendered on demand (no files): the first
/// <c>captions</c> caption samples of a split, then every step of its first <c>stories</c> stories (their texts carry
/// connectives such as "then, …", which the voken mapper's targets also have). No augmentation: a horizontal flip would
/// contradict "left"/"right" in the text.
/// </summary>
public sealed class NanoSdDataSource : IBatchSource<NanoSdBatch>
{
    private readonly List<NanoSdExample> _examples;

    /// <summary>Examples of <paramref name="split"/> from world seed <paramref name="worldSeed"/>.</summary>
    public NanoSdDataSource(ulong worldSeed, NanoSplit split, int captions, int stories)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(captions);
        ArgumentOutOfRangeException.ThrowIfNegative(stories);
        var examples = NanoDatasetSampler.Captions(worldSeed, split).Take(captions).Select(c => new NanoSdExample(c.Scene, c.Caption)).ToList();
        examples.AddRange(NanoDatasetSampler.Stories(worldSeed, split).Take(stories).SelectMany(s => s.Story.Steps).Select(step => new NanoSdExample(step.Scene, step.Text)));
        _examples = examples;
    }

    /// <summary>Every example, in index order.</summary>
    public IReadOnlyList<NanoSdExample> Examples => _examples;

    /// <inheritdoc />
    public int Count => _examples.Count;

    /// <inheritdoc />
    public Task<NanoSdBatch> LoadAsync(IReadOnlyList<int> indices, ulong seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var items = indices.Select(i => _examples[i]).ToList();
        return Task.FromResult(Render(items.Select(e => e.Scene).ToList(), items.Select(e => e.Text).ToList()));
    }

    /// <summary>Renders <paramref name="scenes"/> into a batch [B, 3, 64, 64] in [-1, 1] with <paramref name="texts"/>.</summary>
    public static NanoSdBatch Render(IReadOnlyList<NanoScene> scenes, IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(scenes);
        ArgumentNullException.ThrowIfNull(texts);
        float[]? data = null;
        int plane = 0;
        for (var i = 0; i < scenes.Count; i++)
        {
            var planar = ImageTensors.ToTensor(NanoSceneRenderer.Render(scenes[i]));
            ImageTensors.NormalizeToSignedUnit(planar);
            plane = planar.Data.Length;
            data ??= new float[scenes.Count * plane];
            planar.Data.CopyTo(data, i * plane);
        }

        const int side = NanoGeometry.CanvasSize;
        var images = Tensor.FromArray<float>(data ?? [], [scenes.Count, 3, side, side]).DetachFromScope();
        return new NanoSdBatch(images, texts);
    }
}
