namespace MiniGpt5.Imaging.Jpeg;

/// <summary>Writes Huffman-coded blocks MSB-first with 0xFF00 byte stuffing; the last byte is padded with ones.</summary>
internal sealed class JpegBitWriter(Stream output)
{
    private ulong _buffer;
    private int _bits;

    /// <summary>Codes one block of quantised coefficients (natural order) as jchuff.c encode_one_block does.</summary>
    public void WriteBlock(ReadOnlySpan<short> block, ref int lastDc, JpegHuffmanEncoder dc, JpegHuffmanEncoder ac)
    {
        var diff = block[0] - lastDc;
        lastDc = block[0];
        WriteValue(diff, 0, dc);

        var run = 0;
        for (var k = 1; k < 64; k++)
        {
            int value = block[JpegTables.NaturalOrder[k]];
            if (value == 0)
            {
                run++;
                continue;
            }

            while (run > 15)
            {
                Emit(ac.Code(0xF0), ac.Length(0xF0));
                run -= 16;
            }

            WriteValue(value, run, ac);
            run = 0;
        }

        if (run > 0)
        {
            Emit(ac.Code(0x00), ac.Length(0x00));
        }
    }

    /// <summary>Pads the final byte with one bits (jchuff.c flush_bits) and writes what is buffered.</summary>
    public void Flush()
    {
        var pad = (8 - (_bits & 7)) & 7;
        if (pad > 0)
        {
            Emit((1 << pad) - 1, pad);
        }
    }

    private void WriteValue(int value, int run, JpegHuffmanEncoder table)
    {
        var magnitude = Math.Abs(value);
        var bits = value < 0 ? value - 1 : value;
        var size = magnitude == 0 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)magnitude);
        var symbol = (run << 4) | size;
        if (table.Length(symbol) == 0)
        {
            throw new InvalidOperationException($"Coefficient {value} (size {size}) has no code in the standard Huffman table.");
        }

        Emit(table.Code(symbol), table.Length(symbol));
        if (size > 0)
        {
            Emit(bits & ((1 << size) - 1), size);
        }
    }

    private void Emit(int code, int length)
    {
        _buffer = (_buffer << length) | (uint)code;
        _bits += length;
        while (_bits >= 8)
        {
            var b = (byte)(_buffer >> (_bits - 8));
            output.WriteByte(b);
            if (b == 0xFF)
            {
                output.WriteByte(0x00);
            }

            _bits -= 8;
        }
    }
}
