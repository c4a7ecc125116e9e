using MiniGpt5.Functions.Books;

namespace MiniGpt5.Functions.Orchestrations;

/// <summary>How one manuscript of a batch ended.</summary>
/// <param name="ManuscriptId">Its id (and sub-orchestration instance id).</param>
/// <param name="Source">Where it came from, for people.</param>
/// <param name="Succeeded">True when its book was assembled.</param>
/// <param name="Book">Its book, when it has one.</param>
/// <param name="Counts">Its step counts, when it has a book.</param>
/// <param name="Error">Why it failed.</param>
public sealed record BatchItemResult(string ManuscriptId, string Source, bool Succeeded, BookLocation? Book = null, BookCounts? Counts = null, string? Error = null);
