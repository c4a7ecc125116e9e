namespace MiniGpt5.Text.Clip;

/// <summary>
/// Overrides for a <see cref="ClipTokenizer"/>. Null means "as the files say": a Hugging Face tokenizer folder
/// gives <see cref="ClipTextCleanup.HuggingFaceBasic"/>, special-token splitting, and the pad token and length
/// from special_tokens_map.json / tokenizer_config.json; openai's merges file gives
/// <see cref="ClipTextCleanup.OpenAiClip"/>, no splitting, padding with id 0 and 77 positions (clip.tokenize).
/// </summary>
public sealed record ClipTokenizerOptions
{
    /// <summary>Text cleanup before pre-tokenization.</summary>
    public ClipTextCleanup? Cleanup { get; init; }

    /// <summary>
    /// Split the special tokens (bos, eos, unk, pad) out of the text before anything else, as transformers'
    /// slow tokenizer does. With SD 2.x's pad token "!" this turns every "!" in a prompt into id 0
    /// (diffusers issue #4153); open_clip, which SD 2 was trained with, encodes "!" as "!&lt;/w&gt;" (256).
    /// </summary>
    public bool? SplitSpecialTokens { get; init; }

    /// <summary>The pad token's text (SD 2.x: "!", id 0; SD 1.x: "&lt;|endoftext|&gt;").</summary>
    public string? PadToken { get; init; }

    /// <summary>Sequence length for <see cref="ClipTokenizer.EncodeForModel"/> (CLIP: 77).</summary>
    public int? MaxLength { get; init; }
}
