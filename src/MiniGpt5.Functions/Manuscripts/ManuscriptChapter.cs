namespace MiniGpt5.Functions.Manuscripts;

/// <summary>One chapter of a manuscript.</summary>
/// <param name="Title">The heading text, or null for an untitled chapter (text before the first heading, or a heading with no text).</param>
/// <param name="Line">1-based line where the chapter starts in the source, or 0 when the source has no lines (JSON).</param>
/// <param name="Steps">The chapter's steps, at least one.</param>
public sealed record ManuscriptChapter(string? Title, int Line, IReadOnlyList<ManuscriptStep> Steps);
