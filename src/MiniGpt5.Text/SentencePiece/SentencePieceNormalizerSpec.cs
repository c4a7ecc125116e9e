namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// The NormalizerSpec fields that change encoding (field numbers of sentencepiece_model.proto in brackets;
/// defaults are the proto defaults).
/// </summary>
/// <param name="Name">Rule name (1), e.g. "identity" or "nmt_nfkc"; informational, the rules are in the charsmap.</param>
/// <param name="PrecompiledCharsMap">Normalization rules (2): a Darts double-array trie plus replacement strings; empty = identity.</param>
/// <param name="AddDummyPrefix">Prepend U+2581 to non-empty input (3), default true.</param>
/// <param name="RemoveExtraWhitespaces">Drop leading/trailing spaces and collapse runs (4), default true.</param>
/// <param name="EscapeWhitespaces">Write spaces as U+2581 (5), default true.</param>
public sealed record SentencePieceNormalizerSpec(
    string Name,
    ReadOnlyMemory<byte> PrecompiledCharsMap,
    bool AddDummyPrefix,
    bool RemoveExtraWhitespaces,
    bool EscapeWhitespaces)
{
    /// <summary>The proto defaults (what an absent NormalizerSpec means).</summary>
    public static SentencePieceNormalizerSpec Default { get; } = new(string.Empty, ReadOnlyMemory<byte>.Empty, true, true, true);

    /// <summary>LLaMA's spec: "identity", dummy prefix on, extra whitespace kept, spaces escaped.</summary>
    public static SentencePieceNormalizerSpec LlamaIdentity { get; } = new("identity", ReadOnlyMemory<byte>.Empty, true, false, true);
}
