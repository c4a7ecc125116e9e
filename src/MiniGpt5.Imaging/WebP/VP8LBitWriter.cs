namespace MiniGpt5.Imaging.WebP;

/// <summary>Writes bits least-significant first, as VP8L (and DEFLATE) pack them.</summary>
internal sealed class VP8LBitWriter
{
    private readonly List<byte> _output = new(1 << 12);
    private ulong _buffer;
    private int _bits;

    public void Write(int value, int count)
    {
        if (count == 0)
        {
            return;
        }

        _buffer |= (ulong)(uint)value << _bits;
        _bits += count;
        while (_bits >= 8)
        {
            _output.Add((byte)_buffer);
            _buffer >>= 8;
            _bits -= 8;
        }
    }

    /// <summary>The bytes written, the last one zero-padded.</summary>
    public byte[] ToArray()
    {
        if (_bits > 0)
        {
            _output.Add((byte)_buffer);
            _buffer = 0;
            _bits = 0;
        }

        return _output.ToArray();
    }
}
