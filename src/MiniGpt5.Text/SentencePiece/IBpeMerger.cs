namespace MiniGpt5.Text.SentencePiece;

/// <summary>Turns normalized text into final BPE symbols.</summary>
internal interface IBpeMerger
{
    void Encode(ReadOnlySpan<char> normalized, List<BpeSymbol> output);
}
