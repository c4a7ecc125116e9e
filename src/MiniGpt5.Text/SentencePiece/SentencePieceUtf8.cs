namespace MiniGpt5.Text.SentencePiece;

/// <summary>SentencePiece's string_util::DecodeUTF8 / IsValidDecodeUTF8.</summary>
internal static class SentencePieceUtf8
{
    /// <summary>
    /// Decodes the character at the start of <paramref name="bytes"/>. Returns its byte length, or 0 when the
    /// bytes are not a valid character (SentencePiece then consumes one byte and writes U+FFFD). An encoded
    /// U+FFFD itself is valid.
    /// </summary>
    public static int DecodeOne(ReadOnlySpan<byte> bytes, out int codePoint)
    {
        codePoint = 0xFFFD;
        var b0 = bytes[0];
        if (b0 < 0x80)
        {
            codePoint = b0;
            return 1;
        }

        if (bytes.Length >= 2 && (b0 & 0xE0) == 0xC0)
        {
            var cp = ((b0 & 0x1F) << 6) | (bytes[1] & 0x3F);
            if (IsTrail(bytes[1]) && cp >= 0x80 && IsValidCodePoint(cp))
            {
                codePoint = cp;
                return 2;
            }
        }
        else if (bytes.Length >= 3 && (b0 & 0xF0) == 0xE0)
        {
            var cp = ((b0 & 0x0F) << 12) | ((bytes[1] & 0x3F) << 6) | (bytes[2] & 0x3F);
            if (IsTrail(bytes[1]) && IsTrail(bytes[2]) && cp >= 0x800 && IsValidCodePoint(cp))
            {
                codePoint = cp;
                return 3;
            }
        }
        else if (bytes.Length >= 4 && (b0 & 0xF8) == 0xF0)
        {
            var cp = ((b0 & 0x07) << 18) | ((bytes[1] & 0x3F) << 12) | ((bytes[2] & 0x3F) << 6) | (bytes[3] & 0x3F);
            if (IsTrail(bytes[1]) && IsTrail(bytes[2]) && IsTrail(bytes[3]) && cp >= 0x10000 && IsValidCodePoint(cp))
            {
                codePoint = cp;
                return 4;
            }
        }

        return 0;
    }

    private static bool IsTrail(byte b) => (b & 0xC0) == 0x80;

    private static bool IsValidCodePoint(int cp) => cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF);
}
