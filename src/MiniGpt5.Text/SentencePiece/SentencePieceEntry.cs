namespace MiniGpt5.Text.SentencePiece;

/// <summary>One vocabulary entry: the piece text (U+2581 stands for a space), its score and its type.</summary>
public readonly record struct SentencePieceEntry(string Piece, float Score, SentencePieceType Type);
