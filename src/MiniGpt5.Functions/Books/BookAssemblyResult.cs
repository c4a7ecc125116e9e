namespace MiniGpt5.Functions.Books;

/// <summary>What <see cref="BookAssembler"/> wrote: the <c>AssembleBook</c> activity's result.</summary>
/// <param name="ManuscriptId">The manuscript id.</param>
/// <param name="Title">Book title.</param>
/// <param name="Counts">Done, failed, total.</param>
/// <param name="Files">Files of the book with SHA-256, manifest.json last.</param>
public sealed record BookAssemblyResult(string ManuscriptId, string Title, BookCounts Counts, IReadOnlyList<BookFileEntry> Files);
