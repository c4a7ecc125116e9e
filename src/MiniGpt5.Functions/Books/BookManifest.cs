using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// <c>manifest.json</c>: what the book is, how it was made, and a content hash per file, so a reader (or a
/// test) can check the folder without parsing HTML or EPUB.
/// </summary>
/// <param name="SchemaVersion">Manifest format version.</param>
/// <param name="ManuscriptId">The manuscript id (the folder name).</param>
/// <param name="Title">Book title.</param>
/// <param name="Author">Author, or null.</param>
/// <param name="Language">BCP 47 language tag.</param>
/// <param name="Source">Where the manuscript came from (<c>batch.jsonl, line 3</c>).</param>
/// <param name="SourceName">The file or blob name.</param>
/// <param name="ItemKey">Item key inside a batch, or null.</param>
/// <param name="Format">The manuscript's format.</param>
/// <param name="Options">The merged options.</param>
/// <param name="ModelName">The model most steps reported, or null.</param>
/// <param name="ModelHash">Its hash, or null.</param>
/// <param name="CreatedAt">When the book was assembled (the orchestration's clock).</param>
/// <param name="Counts">Done, failed, total.</param>
/// <param name="Chapters">Chapters with their first step and step count.</param>
/// <param name="Steps">Every step.</param>
/// <param name="Files">Every file written or included (images, index.html, book.md, book.epub), with SHA-256.</param>
/// <param name="Warnings">What the parser and planner skipped or merged.</param>
/// <param name="Generator">What made the book.</param>
public sealed record BookManifest(
    int SchemaVersion,
    string ManuscriptId,
    string Title,
    string? Author,
    string Language,
    string Source,
    string SourceName,
    string? ItemKey,
    ManuscriptFormat Format,
    ManuscriptOptions Options,
    string? ModelName,
    string? ModelHash,
    DateTimeOffset CreatedAt,
    BookCounts Counts,
    IReadOnlyList<PlannedChapter> Chapters,
    IReadOnlyList<BookManifestStep> Steps,
    IReadOnlyList<BookFileEntry> Files,
    IReadOnlyList<string> Warnings,
    string Generator)
{
    /// <summary>The version this code writes.</summary>
    public const int CurrentSchemaVersion = 1;
}
