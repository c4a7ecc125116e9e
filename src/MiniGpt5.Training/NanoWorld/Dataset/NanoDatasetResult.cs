namespace MiniGpt5.Training.NanoWorld.Dataset;

/// <summary>What <see cref="NanoDatasetWriter.WriteAsync"/> wrote.</summary>
/// <param name="OutputDirectory">Absolute dataset root.</param>
/// <param name="Splits">One entry per split written.</param>
public sealed record NanoDatasetResult(string OutputDirectory, IReadOnlyList<NanoSplitResult> Splits)
{
    /// <summary>Images written, over all splits.</summary>
    public int Images => Splits.Sum(s => s.Captions + s.StoryImages);
}
