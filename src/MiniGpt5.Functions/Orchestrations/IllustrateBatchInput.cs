using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Orchestrations;

/// <summary>The <see cref="IllustrationNames.IllustrateBatch"/> orchestration's input; its instance id is <paramref name="BatchId"/>.</summary>
/// <param name="BatchId">The batch file's id (a manuscript id without item key).</param>
/// <param name="Source">The batch file (its <see cref="ManuscriptSource.ItemKey"/> is null).</param>
/// <param name="Items">The manuscripts in it, in file order, including those that will fail to parse.</param>
/// <param name="Options">Request options applied to every manuscript.</param>
/// <param name="MaxConcurrent">Manuscripts illustrated at the same time (1 or more).</param>
/// <param name="ToleratedFailures">How many manuscripts may fail before the batch itself counts as failed; null tolerates any number.</param>
/// <param name="Retry">How failed steps are retried in every manuscript; null uses the defaults.</param>
public sealed record IllustrateBatchInput(
    string BatchId,
    ManuscriptSource Source,
    IReadOnlyList<BatchItem> Items,
    ManuscriptOptions? Options = null,
    int MaxConcurrent = 4,
    int? ToleratedFailures = null,
    StepRetrySettings? Retry = null);
