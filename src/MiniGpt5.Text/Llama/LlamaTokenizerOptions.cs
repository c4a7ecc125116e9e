namespace MiniGpt5.Text.Llama;

/// <summary>Settings of a <see cref="LlamaTokenizer"/>.</summary>
public sealed record LlamaTokenizerOptions
{
    /// <summary>MiniGPT-5's generative vokens, in id order after the base vocabulary (<c>[IMG0]</c> = 32000 for LLaMA).</summary>
    public static IReadOnlyList<string> MiniGpt5Vokens { get; } = ["[IMG0]", "[IMG1]", "[IMG2]", "[IMG3]", "[IMG4]", "[IMG5]", "[IMG6]", "[IMG7]"];

    /// <summary>MiniGPT-5's image placeholder token (32008 for LLaMA).</summary>
    public const string MiniGpt5ImagePlaceholder = "<ImageHere>";

    /// <summary>How added and special tokens in the text are handled.</summary>
    public AddedTokenHandling Handling { get; init; } = AddedTokenHandling.SentencePiece;

    /// <summary>
    /// Tokens to add after the vocabulary, as transformers' <c>add_special_tokens({"additional_special_tokens": [...]})</c>
    /// with plain strings does: new ids in order, special, whitespace around them stripped in
    /// <see cref="AddedTokenHandling.Transformers431Legacy"/> mode. A token already in the vocabulary keeps its id.
    /// </summary>
    public IReadOnlyList<string> AdditionalSpecialTokens { get; init; } = [];

    /// <summary>
    /// In <see cref="AddedTokenHandling.Transformers431Legacy"/> decoding, join added tokens and the text around
    /// them with single spaces (transformers' <c>spaces_between_special_tokens</c>, default true).
    /// </summary>
    public bool SpacesBetweenSpecialTokens { get; init; } = true;

    /// <summary>
    /// MiniGPT-5's tokenizer: <c>LlamaTokenizer.from_pretrained(..., legacy=True, use_fast=False)</c> in
    /// transformers 4.31 plus <c>[IMG0]</c>..<c>[IMG7]</c> and <c>&lt;ImageHere&gt;</c> (MODEL_SPEC §1.2).
    /// </summary>
    public static LlamaTokenizerOptions MiniGpt5 { get; } = new()
    {
        Handling = AddedTokenHandling.Transformers431Legacy,
        AdditionalSpecialTokens = [.. MiniGpt5Vokens, MiniGpt5ImagePlaceholder],
    };
}
