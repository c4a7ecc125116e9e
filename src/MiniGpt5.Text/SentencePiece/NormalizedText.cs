namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// Normalized text with its alignment: <c>ToOriginal[i]</c> is the UTF-16 index in the original input of
/// normalized character <c>i</c>; <c>ToOriginal[Length]</c> is where the consumed input ends.
/// </summary>
internal readonly struct NormalizedText(char[] chars, int length, int[] toOriginal)
{
    public char[] Chars { get; } = chars;

    public int Length { get; } = length;

    public int[] ToOriginal { get; } = toOriginal;

    public ReadOnlySpan<char> Span => Chars.AsSpan(0, Length);
}
