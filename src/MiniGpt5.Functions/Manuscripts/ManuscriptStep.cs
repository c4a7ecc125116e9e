namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// One step of a manuscript: what the model sees and what the book shows.
/// </summary>
/// <param name="Text">
/// Plain text for the model: Markdown images, links and emphasis reduced to their words, whitespace collapsed,
/// sub-headings left out.
/// </param>
/// <param name="Blocks">The step's content for the book, with its markup (paragraphs, sub-headings, code).</param>
/// <param name="Line">1-based line where the step starts in the source, or 0 for JSON sources.</param>
public sealed record ManuscriptStep(string Text, IReadOnlyList<StepBlock> Blocks, int Line);
