namespace MiniGpt5.Functions.Manuscripts;

/// <summary>One block of a step's book content.</summary>
/// <param name="Kind">Paragraph, sub-heading or code.</param>
/// <param name="Content">The block's source text: inline Markdown when <paramref name="Markdown"/> is true, else literal text.</param>
/// <param name="Markdown">Whether <paramref name="Content"/> is inline Markdown (emphasis, links, images) or literal text.</param>
public sealed record StepBlock(StepBlockKind Kind, string Content, bool Markdown);
