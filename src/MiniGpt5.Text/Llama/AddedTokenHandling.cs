namespace MiniGpt5.Text.Llama;

/// <summary>How <see cref="LlamaTokenizer"/> treats added and special tokens written in the text.</summary>
public enum AddedTokenHandling
{
    /// <summary>
    /// Plain SentencePiece: the whole text goes through the model; "&lt;s&gt;" or "[IMG0]" in the text are just
    /// characters. Decoding writes added tokens verbatim.
    /// </summary>
    SentencePiece = 0,

    /// <summary>
    /// transformers 4.31's slow <c>LlamaTokenizer(legacy=True)</c>, which MiniGPT-5 requires (its users lost every
    /// image to a tokenizer change, MODEL_SPEC §5): added and special tokens are split out of the text first
    /// (longest match, leftmost first); whitespace on both sides of tokens that were added as plain strings
    /// (MiniGPT-5's <c>[IMG0]</c>..<c>[IMG7]</c>, <c>&lt;ImageHere&gt;</c>) is stripped, Python-style; <c>&lt;s&gt;</c>,
    /// <c>&lt;/s&gt;</c>, <c>&lt;unk&gt;</c> keep their neighbours' whitespace; every remaining chunk goes through
    /// SentencePiece on its own, each with its own dummy prefix ("[IMG7] ###" gives [IMG7], "▁###").
    /// Decoding follows 4.31's <c>_decode</c>: added tokens joined to the text around them with spaces.
    /// </summary>
    Transformers431Legacy = 1,
}
