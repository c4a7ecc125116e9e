using System.Text.Json.Serialization;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// A parsed manuscript: metadata, the options it sets for itself, and its chapters of steps. One step is one
/// illustration. Serialisable (see <see cref="ManuscriptJsonContext"/>).
/// </summary>
/// <param name="Source">Where it came from, for people: <c>story.md</c>, <c>batch.jsonl, line 3</c>, <c>val.json, story 45530</c>.</param>
/// <param name="SourceName">The file or blob name it was read from.</param>
/// <param name="ItemKey">
/// Null for a file holding one manuscript; for an item of a batch, a stable key inside the file
/// (<c>line-3</c>, <c>story-45530</c>), used with the file's version to derive the manuscript id.
/// </param>
/// <param name="Format">The format it was parsed as.</param>
/// <param name="Title">Title: front matter or JSON <c>title</c>, else a leading <c>#</c> heading, else the file name.</param>
/// <param name="Author">Author, when given.</param>
/// <param name="Language">BCP 47 language tag, when given.</param>
/// <param name="Description">Description, when given.</param>
/// <param name="Options">The options the manuscript sets for itself (request options are merged later, by the planner).</param>
/// <param name="Chapters">Chapters in order; each has at least one step.</param>
/// <param name="Warnings">Things the parser skipped or changed, for the user to see (empty chapters, for example).</param>
public sealed record Manuscript(
    string Source,
    string SourceName,
    string? ItemKey,
    ManuscriptFormat Format,
    string Title,
    string? Author,
    string? Language,
    string? Description,
    ManuscriptOptions Options,
    IReadOnlyList<ManuscriptChapter> Chapters,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Steps in all chapters.</summary>
    [JsonIgnore]
    public int StepCount => Chapters.Sum(c => c.Steps.Count);
}
