namespace MiniGpt5.Functions.Orchestrations;

/// <summary>What a finished <see cref="IllustrationNames.IllustrateBatch"/> returns.</summary>
/// <param name="BatchId">The batch id.</param>
/// <param name="Total">Manuscripts in the batch.</param>
/// <param name="Succeeded">Manuscripts whose book was assembled.</param>
/// <param name="Failed">Manuscripts that failed.</param>
/// <param name="Items">Each manuscript's result, in file order.</param>
public sealed record IllustrateBatchOutput(string BatchId, int Total, int Succeeded, int Failed, IReadOnlyList<BatchItemResult> Items)
{
    /// <summary><c>2/3 manuscripts illustrated</c>.</summary>
    public string Summary => $"{Succeeded}/{Total} manuscripts illustrated";
}
