namespace MiniGpt5.Text.SentencePiece;

/// <summary>What <see cref="HuggingFaceTokenizerJsonReader"/> reads from a LLaMA-style <c>tokenizer.json</c>.</summary>
/// <param name="Model">The SentencePiece model equivalent to the file's BPE model and normalizer.</param>
/// <param name="AddedTokens">Entries of <c>added_tokens</c> whose ids lie past the base vocabulary.</param>
/// <param name="DummyPrefixOnlyAtStart">
/// True for a Metaspace pre-tokenizer with <c>prepend_scheme: "first"</c>: text that follows an added token
/// gets no dummy prefix (transformers' non-legacy behaviour).
/// </param>
public sealed record HuggingFaceTokenizerJson(SentencePieceModel Model, IReadOnlyList<AddedToken> AddedTokens, bool DummyPrefixOnlyAtStart);
