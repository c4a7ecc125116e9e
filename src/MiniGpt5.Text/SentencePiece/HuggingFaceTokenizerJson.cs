namespace MiniGpt5.Text.SentencePiece;

/// <summary>What <see cref="HuggingFaceTokenizerJsonReader"/> reads from a LLaMA-style <c>tokenizer.json</c>.</summary>
/// <param name="Model">The SentencePiece model equivalent to the file's BPE model and normalizer.</param>
/// <param name="AddedTokens">Entries of <c>added_tokens</c> whose ids lie past the base vocabulary.</param>
/// <param name="DummyPrefixOnlyAtStart">
/// True for a Metaspace pre-tokenizer with <c>prepend_scheme: "first"</c> (transformers' non-legacy fast
/// tokenizer: text after an added token gets no dummy prefix). Informational: for a single text it is the same as
/// "always", and <see cref="Llama.AddedTokenHandling.Transformers431Legacy"/> prefixes every chunk, as the slow
/// tokenizer MiniGPT-5 uses does (it never reads tokenizer.json).
/// </param>
public sealed record HuggingFaceTokenizerJson(SentencePieceModel Model, IReadOnlyList<AddedToken> AddedTokens, bool DummyPrefixOnlyAtStart);
