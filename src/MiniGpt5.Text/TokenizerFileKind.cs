namespace MiniGpt5.Text;

/// <summary>What a tokenizer path holds, as <see cref="TokenizerFiles.Detect"/> tells from the content.</summary>
public enum TokenizerFileKind
{
    /// <summary>Not a tokenizer file this library reads.</summary>
    Unknown = 0,

    /// <summary>A SentencePiece <c>tokenizer.model</c> (ModelProto).</summary>
    SentencePieceModel,

    /// <summary>A Hugging Face <c>tokenizer.json</c> with a SentencePiece-style BPE model (LLaMA's format).</summary>
    HuggingFaceTokenizerJson,

    /// <summary>A Hugging Face CLIPTokenizer folder (<c>vocab.json</c> + <c>merges.txt</c>, optional configs).</summary>
    ClipFolder,

    /// <summary>CLIP merges as openai/CLIP ships them (<c>bpe_simple_vocab_16e6.txt.gz</c>) or as a plain merges text file.</summary>
    ClipMerges,
}
