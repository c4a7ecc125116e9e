using MiniGpt5.Functions.Books;

namespace MiniGpt5.Functions.Hosting;

/// <summary>How one manuscript of a local run ended.</summary>
/// <param name="ManuscriptId">Its id.</param>
/// <param name="Source">Where it came from, for people.</param>
/// <param name="Title">Book title, once planned.</param>
/// <param name="Succeeded">True when its book was assembled.</param>
/// <param name="Folder">The exported book folder, when there is one.</param>
/// <param name="EntryPath">The file to open: <c>index.html</c> (or <c>book.md</c>/<c>book.epub</c> when no HTML was asked for).</param>
/// <param name="Counts">Steps done, failed, total.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="Refused">True when the input was refused before anything started (bad input, not failed work).</param>
public sealed record LocalBook(string ManuscriptId, string Source, string? Title, bool Succeeded, string? Folder, string? EntryPath, BookCounts? Counts, string? Error, bool Refused = false);
