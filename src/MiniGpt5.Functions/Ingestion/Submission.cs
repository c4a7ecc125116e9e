using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Ingestion;

/// <summary>What <see cref="ManuscriptSubmitter"/> started (or found already started).</summary>
/// <param name="InstanceId">The orchestration instance: the manuscript id, or the batch id.</param>
/// <param name="OrchestrationName"><see cref="IllustrationNames.IllustrateManuscript"/> or <see cref="IllustrationNames.IllustrateBatch"/>.</param>
/// <param name="IsBatch">True for a batch file (one sub-orchestration per manuscript).</param>
/// <param name="AlreadyExisted">True when the same submission had already been started (nothing new was scheduled).</param>
/// <param name="Manuscripts">The manuscripts (one, or the batch's items), with their book locations.</param>
/// <param name="Source">Where the submitted bytes are stored.</param>
public sealed record Submission(
    string InstanceId,
    string OrchestrationName,
    bool IsBatch,
    bool AlreadyExisted,
    IReadOnlyList<SubmittedManuscript> Manuscripts,
    ManuscriptSource Source);
