namespace MiniGpt5.Text.SentencePiece;

/// <summary>A final BPE symbol: its piece id (the unknown id for unknown text) and its span in the normalized text.</summary>
internal readonly record struct BpeSymbol(int Id, int Start, int Length);
