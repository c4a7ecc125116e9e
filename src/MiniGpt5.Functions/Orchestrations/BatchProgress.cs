namespace MiniGpt5.Functions.Orchestrations;

/// <summary>The custom status of an <see cref="IllustrationNames.IllustrateBatch"/> instance.</summary>
/// <param name="BatchId">The batch id.</param>
/// <param name="Phase">Illustrating, then Completed or Failed.</param>
/// <param name="Done">Manuscripts whose book is complete.</param>
/// <param name="Failed">Manuscripts that failed.</param>
/// <param name="Running">Manuscripts in progress.</param>
/// <param name="Total">Manuscripts in the batch.</param>
/// <param name="Eta">Estimated completion (UTC), once a manuscript has finished.</param>
public sealed record BatchProgress(string BatchId, ProgressPhase Phase, int Done, int Failed, int Running, int Total, DateTime? Eta = null)
{
    /// <summary><c>2/3</c>: manuscripts done out of the total.</summary>
    public string Summary => $"{Done}/{Total}";
}
