namespace MiniGpt5.Text.Clip;

/// <summary>How CLIP text is cleaned before the pre-tokenizer. Neither applies ftfy (not available to .NET).</summary>
public enum ClipTextCleanup
{
    /// <summary>
    /// transformers' CLIPTokenizer when ftfy is not installed (what a diffusers pipeline usually gets):
    /// BasicTokenizer(do_lower_case=True, strip_accents=False, do_split_on_punc=False) — drop NUL, U+FFFD and
    /// category-C characters, whitespace to spaces, spaces around CJK ideographs, NFC, split on whitespace,
    /// <c>str.lower()</c> each word, join with single spaces. No HTML unescaping.
    /// </summary>
    HuggingFaceBasic = 0,

    /// <summary>
    /// openai/CLIP simple_tokenizer.py without its ftfy.fix_text step: <c>html.unescape</c> twice, strip,
    /// collapse runs of regex whitespace to one space, strip, <c>str.lower()</c>.
    /// </summary>
    OpenAiClip = 1,
}
