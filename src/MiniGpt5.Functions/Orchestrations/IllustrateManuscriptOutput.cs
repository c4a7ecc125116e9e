using MiniGpt5.Functions.Books;

namespace MiniGpt5.Functions.Orchestrations;

/// <summary>What a finished <see cref="IllustrationNames.IllustrateManuscript"/> returns.</summary>
/// <param name="ManuscriptId">The manuscript id.</param>
/// <param name="Title">Book title.</param>
/// <param name="Book">Where the book is.</param>
/// <param name="Counts">Steps done, failed, total.</param>
/// <param name="Files">The book's files (relative paths), <c>manifest.json</c> last.</param>
public sealed record IllustrateManuscriptOutput(string ManuscriptId, string Title, BookLocation Book, BookCounts Counts, IReadOnlyList<string> Files);
