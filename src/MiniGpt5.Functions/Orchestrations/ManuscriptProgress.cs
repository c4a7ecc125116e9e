namespace MiniGpt5.Functions.Orchestrations;

/// <summary>
/// The custom status of an <see cref="IllustrationNames.IllustrateManuscript"/> instance, updated as steps finish.
/// Times come from the orchestration clock, so replays produce the same values.
/// </summary>
/// <param name="ManuscriptId">The manuscript id.</param>
/// <param name="Phase">Where the run is.</param>
/// <param name="Done">Steps with an image.</param>
/// <param name="Failed">Steps that failed after their retries.</param>
/// <param name="Total">Steps in the plan (0 while planning).</param>
/// <param name="Book">Where the book is (being) written.</param>
/// <param name="Title">Book title, once planned.</param>
/// <param name="Eta">Estimated completion (UTC) from the pace so far; null until a step has finished.</param>
/// <param name="Error">Why the run failed.</param>
public sealed record ManuscriptProgress(
    string ManuscriptId,
    ProgressPhase Phase,
    int Done,
    int Failed,
    int Total,
    BookLocation Book,
    string? Title = null,
    DateTime? Eta = null,
    string? Error = null);
