namespace MiniGpt5.Imaging.Jpeg;

/// <summary>An encoding Huffman table: code and length per symbol, built canonically from counts and symbols.</summary>
internal sealed class JpegHuffmanEncoder
{
    private readonly ushort[] _codes = new ushort[256];
    private readonly byte[] _lengths = new byte[256];

    private JpegHuffmanEncoder(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        var code = 0;
        var k = 0;
        for (var length = 1; length <= 16; length++)
        {
            for (var i = 0; i < counts[length - 1]; i++, k++, code++)
            {
                _codes[values[k]] = (ushort)code;
                _lengths[values[k]] = (byte)length;
            }

            code <<= 1;
        }
    }

    public static JpegHuffmanEncoder LuminanceDc { get; } = new(JpegTables.DcLuminanceBits, JpegTables.DcLuminanceValues);

    public static JpegHuffmanEncoder LuminanceAc { get; } = new(JpegTables.AcLuminanceBits, JpegTables.AcLuminanceValues);

    public static JpegHuffmanEncoder ChrominanceDc { get; } = new(JpegTables.DcChrominanceBits, JpegTables.DcChrominanceValues);

    public static JpegHuffmanEncoder ChrominanceAc { get; } = new(JpegTables.AcChrominanceBits, JpegTables.AcChrominanceValues);

    public int Code(int symbol) => _codes[symbol];

    public int Length(int symbol) => _lengths[symbol];

    /// <summary>Writes a DHT segment for one table; <paramref name="classAndIndex"/> is Tc&lt;&lt;4 | Th.</summary>
    public static void WriteTable(Stream output, byte classAndIndex, ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        var length = 2 + 1 + 16 + values.Length;
        output.Write([0xFF, 0xC4, (byte)(length >> 8), (byte)length, classAndIndex]);
        output.Write(counts);
        output.Write(values);
    }
}
