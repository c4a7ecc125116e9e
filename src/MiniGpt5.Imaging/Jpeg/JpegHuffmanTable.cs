namespace MiniGpt5.Imaging.Jpeg;

/// <summary>
/// A decoding Huffman table (T.81 Annex C/F.2.2.3): a 9-bit lookahead table for short codes and
/// libjpeg's maxcode/valptr arrays for the rest. Tables that over-subscribe the code space are refused.
/// </summary>
internal sealed class JpegHuffmanTable
{
    public const int LookaheadBits = 9;

    private readonly byte[] _values;
    private readonly int[] _maxCode = new int[18];  // largest code of each length, -1 if none
    private readonly int[] _valueOffset = new int[17]; // values index of the first code of each length minus that code

    // Per 9-bit prefix: (code length << 8) | symbol, or 0 when the code is longer than 9 bits.
    private readonly ushort[] _lookup = new ushort[1 << LookaheadBits];

    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values, bool isDc)
    {
        _values = values.ToArray();
        if (isDc)
        {
            foreach (var v in values)
            {
                if (v > 15)
                {
                    throw new ImageFormatException($"JPEG DC Huffman table has symbol {v}; DC magnitudes are at most 15.");
                }
            }
        }

        var code = 0;
        var k = 0;
        for (var length = 1; length <= 16; length++)
        {
            var n = counts[length - 1];
            if (n == 0)
            {
                _maxCode[length] = -1;
            }
            else
            {
                _valueOffset[length] = k - code;
                for (var i = 0; i < n; i++, k++, code++)
                {
                    // All codes of this length must fit in `length` bits (libjpeg's JERR_BAD_HUFF_TABLE check).
                    if (code >= (1 << length))
                    {
                        throw new ImageFormatException($"JPEG Huffman table over-subscribes {length}-bit codes (corrupt DHT).");
                    }

                    if (length <= LookaheadBits)
                    {
                        var shift = LookaheadBits - length;
                        var entry = (ushort)((length << 8) | _values[k]);
                        _lookup.AsSpan(code << shift, 1 << shift).Fill(entry);
                    }
                }

                _maxCode[length] = code - 1;
            }

            code <<= 1;
        }

        _maxCode[17] = int.MaxValue; // sentinel: a 17th bit never helps, the code is invalid
    }

    /// <summary>Decodes one symbol from <paramref name="reader"/>.</summary>
    public int Decode(ref JpegBitReader reader)
    {
        var peek = reader.Peek16();
        var entry = _lookup[peek >> (16 - LookaheadBits)];
        if (entry != 0)
        {
            reader.Skip(entry >> 8);
            return entry & 0xFF;
        }

        for (var length = LookaheadBits + 1; length <= 16; length++)
        {
            var code = peek >> (16 - length);
            if (code <= _maxCode[length])
            {
                reader.Skip(length);
                return _values[code + _valueOffset[length]];
            }
        }

        throw new ImageFormatException("JPEG entropy-coded data holds a code that is not in its Huffman table (corrupt data).");
    }
}
