using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Schedules;

/// <summary>The <see cref="IllustrationNames.GenerateDataset"/> orchestration's input; instance id <c>dataset-{schedule}-{runId}</c>.</summary>
/// <param name="Schedule">The schedule's name.</param>
/// <param name="RunId">The run id (<c>20260101T020000Z</c> for a scheduled occurrence).</param>
/// <param name="RunSeed">The run's seed: every record's seed derives from it, so the same seed reproduces the run.</param>
/// <param name="Records">What to paint.</param>
/// <param name="Options">Model options.</param>
/// <param name="Location">The run folder, <c>datasets/{schedule}/{runId}/</c>.</param>
/// <param name="Retry">How failed records are retried.</param>
public sealed record DatasetRunInput(
    string Schedule,
    string RunId,
    uint RunSeed,
    IReadOnlyList<DatasetRecordPlan> Records,
    ManuscriptOptions Options,
    BookLocation Location,
    StepRetrySettings? Retry = null);
