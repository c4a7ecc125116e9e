namespace MiniGpt5.Functions.Manuscripts;

/// <summary>What a manuscript says about itself: book metadata and illustration options.</summary>
/// <param name="Options">Options the manuscript sets (null fields are not set).</param>
/// <param name="Title">Book title, when given.</param>
/// <param name="Author">Author(s), joined with ", " when a list was given.</param>
/// <param name="Language">BCP 47 language tag (for example <c>en</c>, <c>pt-BR</c>).</param>
/// <param name="Description">A short description, for the EPUB metadata.</param>
internal sealed record ManuscriptSettings(
    ManuscriptOptions Options,
    string? Title = null,
    string? Author = null,
    string? Language = null,
    string? Description = null)
{
    public static ManuscriptSettings None { get; } = new(new ManuscriptOptions());
}
