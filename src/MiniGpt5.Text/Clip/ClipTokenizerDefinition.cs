namespace MiniGpt5.Text.Clip;

/// <summary>Everything a <see cref="ClipTokenizer"/> is built from, resolved from its files and options.</summary>
/// <param name="Source">The folder or file it came from.</param>
/// <param name="Vocabulary">Token text to id.</param>
/// <param name="Merges">Merges in rank order.</param>
/// <param name="Cleanup">Text cleanup.</param>
/// <param name="SplitSpecialTokens">Split special tokens out of the text first.</param>
/// <param name="MaxLength">Model input length.</param>
/// <param name="PadToken">Pad token text; null pads with id 0 (openai's clip.tokenize).</param>
/// <param name="UnknownToken">Token for text missing from the vocabulary.</param>
/// <param name="SpecialTokens">Tokens split out of the text, with their whitespace stripping.</param>
internal sealed record ClipTokenizerDefinition(
    string Source,
    Dictionary<string, int> Vocabulary,
    List<(string Left, string Right)> Merges,
    ClipTextCleanup Cleanup,
    bool SplitSpecialTokens,
    int MaxLength,
    string? PadToken,
    string UnknownToken,
    IReadOnlyList<(string Content, bool StripLeft, bool StripRight)> SpecialTokens);
