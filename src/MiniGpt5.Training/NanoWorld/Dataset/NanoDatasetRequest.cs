namespace MiniGpt5.Training.NanoWorld.Dataset;

/// <summary>What <see cref="NanoDatasetWriter"/> writes.</summary>
/// <param name="OutputDirectory">Dataset root; created if missing.</param>
/// <param name="Seed">Seed of the candidate streams (<see cref="NanoDatasetSampler"/>).</param>
/// <param name="Splits">The splits to write, each at most once.</param>
/// <param name="Force">Write into a non-empty folder, replacing the files and image folders of these splits.</param>
public sealed record NanoDatasetRequest(string OutputDirectory, ulong Seed, IReadOnlyList<NanoSplitRequest> Splits, bool Force = false);
