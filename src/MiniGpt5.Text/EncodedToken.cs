namespace MiniGpt5.Text;

/// <summary>
/// One token id with the span of input text it came from: <c>[Start, End)</c> in UTF-16 code units of the
/// string that was encoded (so <c>text[Start..End]</c> is its surface). Tokens without a surface (BOS, and
/// all but the last byte-fallback piece of a character) have <c>Start == End</c>.
/// </summary>
public readonly record struct EncodedToken(int Id, int Start, int End);
