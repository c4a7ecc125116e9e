namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// The TrainerSpec fields that change encoding or decoding (field numbers of sentencepiece_model.proto in
/// brackets; defaults are the proto defaults).
/// </summary>
/// <param name="ModelType">Model type (3), default unigram.</param>
/// <param name="VocabSize">Vocabulary size the model was trained for (4), informational.</param>
/// <param name="TreatWhitespaceAsSuffix">U+2581 goes at the end of words instead of the start (24).</param>
/// <param name="ByteFallback">Unknown characters become their UTF-8 byte pieces (35).</param>
/// <param name="UnkId">Id of the unknown piece (40), default 0.</param>
/// <param name="BosId">Id of BOS (41), default 1; -1 when the model has none.</param>
/// <param name="EosId">Id of EOS (42), default 2; -1 when the model has none.</param>
/// <param name="PadId">Id of padding (43), default -1 (none).</param>
/// <param name="UnkSurface">What decoding writes for the unknown piece (44), default " \u2047 ".</param>
public sealed record SentencePieceTrainerSpec(
    SentencePieceModelType ModelType,
    int VocabSize,
    bool TreatWhitespaceAsSuffix,
    bool ByteFallback,
    int UnkId,
    int BosId,
    int EosId,
    int PadId,
    string UnkSurface)
{
    /// <summary>SentencePiece's default for <see cref="UnkSurface"/>: " ⁇ ".</summary>
    public const string DefaultUnkSurface = " \u2047 ";

    /// <summary>The proto defaults (what an absent TrainerSpec means).</summary>
    public static SentencePieceTrainerSpec Default { get; } =
        new(SentencePieceModelType.Unigram, 8000, false, false, 0, 1, 2, -1, DefaultUnkSurface);
}
