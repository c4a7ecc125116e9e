namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Everything needed to illustrate one manuscript and assemble its book, computed once, deterministically, from
/// the manuscript, its id and the request options. Serialisable: it is the orchestration's input.
/// </summary>
/// <param name="ManuscriptId">The id (see <see cref="Manuscripts.ManuscriptId"/>); names the book folder.</param>
/// <param name="Source">Where the manuscript came from, for people.</param>
/// <param name="SourceName">The file or blob name.</param>
/// <param name="ItemKey">The item key inside a batch file, or null.</param>
/// <param name="Format">The format it was read as.</param>
/// <param name="Title">Book title.</param>
/// <param name="Author">Author, or null.</param>
/// <param name="Language">BCP 47 language tag (default <c>en</c>).</param>
/// <param name="Description">Description, or null.</param>
/// <param name="Options">Merged options (defaults, then the manuscript, then the request); <c>Formats</c> and <c>ReviewGate</c> are always set.</param>
/// <param name="Chapters">Chapters in order.</param>
/// <param name="Steps">Steps in order, numbered from 1.</param>
/// <param name="Warnings">What the parser and planner skipped or merged.</param>
/// <param name="PlanVersion">The plan format version; bumped when the meaning of a field changes.</param>
public sealed record ManuscriptPlan(
    string ManuscriptId,
    string Source,
    string SourceName,
    string? ItemKey,
    ManuscriptFormat Format,
    string Title,
    string? Author,
    string Language,
    string? Description,
    ManuscriptOptions Options,
    IReadOnlyList<PlannedChapter> Chapters,
    IReadOnlyList<PlannedStep> Steps,
    IReadOnlyList<string> Warnings,
    int PlanVersion = ManuscriptPlan.CurrentVersion)
{
    /// <summary>The version this code writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The most steps a plan may have: step numbers are three digits (<c>steps/001.png</c>..<c>steps/999.png</c>).</summary>
    public const int MaxSteps = 999;
}
