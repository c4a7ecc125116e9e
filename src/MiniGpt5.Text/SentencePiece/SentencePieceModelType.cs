namespace MiniGpt5.Text.SentencePiece;

/// <summary>TrainerSpec.ModelType. Only <see cref="Bpe"/> models can be encoded here.</summary>
public enum SentencePieceModelType
{
    /// <summary>Unigram language model (the proto default).</summary>
    Unigram = 1,

    /// <summary>Byte-pair encoding, as LLaMA uses.</summary>
    Bpe = 2,

    /// <summary>Whitespace-delimited words.</summary>
    Word = 3,

    /// <summary>Characters.</summary>
    Char = 4,
}
