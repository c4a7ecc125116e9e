namespace MiniGpt5.Imaging.Jpeg;

/// <summary>
/// Reads entropy-coded bits MSB-first, removing 0xFF00 stuffing. At a marker or the end of the file it supplies
/// zero bits for lookahead (as libjpeg does), but consuming any of those invented bits is an error: the data
/// ended before the scan did.
/// </summary>
internal ref struct JpegBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private ulong _buffer;   // the low _bits bits are unread, MSB first
    private int _bits;
    private int _inventedBits; // zero bits appended after a marker or the end of data (always the lowest ones)

    public JpegBitReader(ReadOnlySpan<byte> data, int position)
    {
        _data = data;
        _position = position;
    }

    /// <summary>Offset of the first byte not yet loaded; after a scan it points at the next marker.</summary>
    public readonly int Position => _position;

    /// <summary>True when the data ended without a marker (truncated file).</summary>
    public readonly bool AtEndOfData => _position >= _data.Length;

    public int Peek16()
    {
        if (_bits < 16)
        {
            Fill();
        }

        return (int)(_buffer >> (_bits - 16)) & 0xFFFF;
    }

    public void Skip(int count)
    {
        if (_bits - count < _inventedBits)
        {
            ThrowEndOfData();
        }

        _bits -= count;
    }

    public int ReadBits(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        if (_bits < count)
        {
            Fill();
        }

        if (_bits - count < _inventedBits)
        {
            ThrowEndOfData();
        }

        _bits -= count;
        return (int)(_buffer >> _bits) & ((1 << count) - 1);
    }

    public int ReadBit() => ReadBits(1);

    /// <summary>Reads <paramref name="count"/> bits as a signed magnitude (T.81 EXTEND).</summary>
    public int ReceiveExtend(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        var v = ReadBits(count);
        return v < (1 << (count - 1)) ? v - (1 << count) + 1 : v;
    }

    /// <summary>Drops buffered bits and expects a restart marker RSTn next, then continues after it.</summary>
    public void Restart()
    {
        SeekMarker();
        if (_position + 1 < _data.Length && _data[_position + 1] is >= 0xD0 and <= 0xD7)
        {
            _position += 2;
            return;
        }

        if (_position >= _data.Length)
        {
            throw new ImageFormatException("truncated JPEG: data ends where a restart marker was expected.");
        }

        throw new ImageFormatException($"corrupt JPEG: expected a restart marker at offset {_position}.");
    }

    /// <summary>
    /// Drops buffered bits (padding at the end of an interval or scan) and moves to the next marker, skipping
    /// any stray bytes before it as libjpeg's next_marker does. Returns the marker's offset (or the data length).
    /// </summary>
    public int SeekMarker()
    {
        _buffer = 0;
        _bits = 0;
        _inventedBits = 0;
        while (_position < _data.Length)
        {
            if (_data[_position] == 0xFF && _position + 1 < _data.Length && _data[_position + 1] is not 0x00 and not 0xFF)
            {
                break;
            }

            _position++;
        }

        return _position;
    }

    private void Fill()
    {
        while (_bits <= 56)
        {
            if (_inventedBits > 0 || _position >= _data.Length)
            {
                _buffer <<= 8;
                _bits += 8;
                _inventedBits += 8;
                continue;
            }

            var b = _data[_position];
            if (b == 0xFF)
            {
                var next = _position + 1 < _data.Length ? _data[_position + 1] : -1;
                if (next == 0x00)
                {
                    _position += 2;
                }
                else if (next == 0xFF)
                {
                    _position++; // fill byte before a marker: skip it and look again
                    continue;
                }
                else
                {
                    // A marker (or the end of data): stop here and pad with zeros.
                    _buffer <<= 8;
                    _bits += 8;
                    _inventedBits += 8;
                    continue;
                }
            }
            else
            {
                _position++;
            }

            _buffer = (_buffer << 8) | b;
            _bits += 8;
        }
    }

    private readonly void ThrowEndOfData()
    {
        if (_position >= _data.Length)
        {
            throw new ImageFormatException("truncated JPEG: the file ends inside entropy-coded data.");
        }

        throw new ImageFormatException($"corrupt JPEG: entropy-coded data runs into a marker at offset {_position} before the scan is complete.");
    }
}
