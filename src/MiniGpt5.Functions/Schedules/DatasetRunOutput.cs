using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Schedules;

/// <summary>What a finished dataset run returns.</summary>
/// <param name="Schedule">The schedule.</param>
/// <param name="RunId">The run id.</param>
/// <param name="RunSeed">The seed that reproduces it.</param>
/// <param name="Location">The run folder.</param>
/// <param name="Total">Records planned.</param>
/// <param name="Done">Records with an image.</param>
/// <param name="Failed">Records without one.</param>
public sealed record DatasetRunOutput(string Schedule, string RunId, uint RunSeed, BookLocation Location, int Total, int Done, int Failed)
{
    /// <summary>The manifest's blob name inside the container.</summary>
    public string ManifestBlob => Location.BlobName(DatasetManifest.FileName);
}
