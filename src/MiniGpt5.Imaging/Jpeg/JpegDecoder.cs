using System.Buffers.Binary;

namespace MiniGpt5.Imaging.Jpeg;

/// <summary>
/// JPEG decoder for baseline and progressive Huffman-coded 8-bit images with 1 (gray) or 3 (YCbCr, or RGB per
/// the Adobe marker / component ids) components, any integral sampling factors, and restart intervals. The
/// pixel path copies libjpeg-turbo 2.1 as Pillow runs it (islow IDCT, fancy upsampling, fixed-point YCbCr→RGB),
/// so output equals Pillow's. Refused with <see cref="ImageFormatException"/>: arithmetic coding, lossless and
/// hierarchical JPEG, 12/16-bit precision, CMYK/YCCK (4 components), and heights defined by a DNL marker.
/// </summary>
internal sealed class JpegDecoder
{
    private readonly byte[] _data;
    private readonly ImageDecodeOptions _options;
    private readonly ushort[]?[] _quantTables = new ushort[4][];
    private readonly JpegHuffmanTable?[] _dcTables = new JpegHuffmanTable[4];
    private readonly JpegHuffmanTable?[] _acTables = new JpegHuffmanTable[4];
    private JpegComponent[] _components = [];
    private int _width;
    private int _height;
    private bool _progressive;
    private int _maxH;
    private int _maxV;
    private int _mcusPerLine;
    private int _mcusPerColumn;
    private int _restartInterval;
    private bool _sawJfif;
    private int _adobeTransform = -1;
    private int _exifOrientation = 1;
    private int _eobRun;
    private int _scanCount;

    private JpegDecoder(byte[] data, ImageDecodeOptions options)
    {
        _data = data;
        _options = options;
    }

    public static Image Decode(byte[] data, ImageDecodeOptions options, CancellationToken cancellationToken) =>
        new JpegDecoder(data, options).Run(cancellationToken);

    private Image Run(CancellationToken cancellationToken)
    {
        var data = _data.AsSpan();
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8)
        {
            throw new ImageFormatException("not a JPEG file (no SOI marker).");
        }

        var position = 2;
        var frameSeen = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var marker = NextMarker(data, ref position);
            if (marker < 0)
            {
                if (frameSeen && !_progressive && _scanCount > 0 && AllBaselineComponentsScanned())
                {
                    break; // complete sequential image without EOI: Pillow accepts it too
                }

                throw new ImageFormatException(frameSeen
                    ? $"truncated JPEG: the file ends after {_scanCount} scan(s) without an EOI marker."
                    : "truncated JPEG: the file ends before the frame header (SOF).");
            }

            if (marker == 0xD9)
            {
                break; // EOI
            }

            if (marker is >= 0xD0 and <= 0xD7 or 0x01)
            {
                continue; // standalone markers with no segment
            }

            if (position + 2 > data.Length)
            {
                throw new ImageFormatException($"truncated JPEG: marker 0x{marker:X2} at offset {position - 2} has no length.");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            if (length < 2 || position + length > data.Length)
            {
                throw new ImageFormatException($"truncated JPEG: segment 0x{marker:X2} at offset {position - 2} declares {length} bytes, {data.Length - position} remain.");
            }

            var segment = data.Slice(position + 2, length - 2);
            position += length;
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    if (frameSeen)
                    {
                        throw new ImageFormatException("JPEG has more than one frame header (SOF).");
                    }

                    ParseFrame(segment, progressive: marker == 0xC2);
                    frameSeen = true;
                    break;
                case 0xC3:
                    throw new ImageFormatException("lossless JPEG (SOF3) is not supported.");
                case 0xC5 or 0xC6 or 0xC7:
                    throw new ImageFormatException($"hierarchical JPEG (SOF{marker - 0xC0}) is not supported.");
                case 0xC9 or 0xCA or 0xCB or 0xCD or 0xCE or 0xCF or 0xCC:
                    throw new ImageFormatException("arithmetic-coded JPEG is not supported; only Huffman coding is.");
                case 0xC4:
                    ParseHuffmanTables(segment);
                    break;
                case 0xDB:
                    ParseQuantTables(segment);
                    break;
                case 0xDD:
                    if (segment.Length < 2)
                    {
                        throw new ImageFormatException("JPEG DRI segment is too short.");
                    }

                    _restartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
                    break;
                case 0xDA:
                    if (!frameSeen)
                    {
                        throw new ImageFormatException("JPEG scan (SOS) comes before the frame header (SOF).");
                    }

                    position = DecodeScan(segment, position, cancellationToken);
                    _scanCount++;
                    break;
                case 0xDC:
                    throw new ImageFormatException("JPEG with a DNL marker (height given after the scan) is not supported.");
                case 0xE0:
                    if (segment.StartsWith("JFIF\0"u8))
                    {
                        _sawJfif = true;
                    }

                    break;
                case 0xE1:
                    if (segment.StartsWith("Exif\0\0"u8) && _exifOrientation == 1)
                    {
                        _exifOrientation = ExifReader.ReadOrientation(segment[6..]);
                    }

                    break;
                case 0xEE:
                    if (segment.Length >= 12 && segment.StartsWith("Adobe"u8))
                    {
                        _adobeTransform = segment[11];
                    }

                    break;
                default:
                    break; // APPn, COM, JPGn: skipped
            }
        }

        if (!frameSeen)
        {
            throw new ImageFormatException("JPEG has no frame header (SOF).");
        }

        if (_scanCount == 0)
        {
            throw new ImageFormatException("JPEG has no scan (SOS): there is no image data.");
        }

        var isRgb = _components.Length == 3 && !_sawJfif
            && (_adobeTransform == 0 || (_adobeTransform < 0 && _components[0].Id == 'R' && _components[1].Id == 'G' && _components[2].Id == 'B'));
        var image = JpegPixelOutput.Build(_width, _height, _maxH, _maxV, _components, isRgb, cancellationToken);
        return new Image(image.Width, image.Height, image.Format, image.Pixels) { ExifOrientation = _exifOrientation };
    }

    /// <summary>
    /// Finds the next marker from <paramref name="position"/> (skipping fill bytes and, like libjpeg, stray
    /// data bytes), returns its code and leaves <paramref name="position"/> after it; -1 at end of data.
    /// </summary>
    private static int NextMarker(ReadOnlySpan<byte> data, ref int position)
    {
        while (position + 1 < data.Length)
        {
            if (data[position] == 0xFF && data[position + 1] is not 0xFF and not 0x00)
            {
                var marker = data[position + 1];
                position += 2;
                return marker;
            }

            position++;
        }

        position = data.Length;
        return -1;
    }

    private bool AllBaselineComponentsScanned() => _components.All(c => c.Quant is not null);

    private void ParseFrame(ReadOnlySpan<byte> s, bool progressive)
    {
        if (s.Length < 6)
        {
            throw new ImageFormatException("JPEG frame header (SOF) is too short.");
        }

        int precision = s[0];
        int height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
        int width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
        int count = s[5];
        if (precision != 8)
        {
            throw new ImageFormatException($"JPEG sample precision is {precision} bits; only 8-bit JPEG is supported.");
        }

        if (height == 0)
        {
            throw new ImageFormatException("JPEG frame declares height 0 (defined later by DNL); not supported.");
        }

        if (width == 0)
        {
            throw new ImageFormatException("JPEG frame declares width 0.");
        }

        ImageCodec.CheckPixelLimit((uint)width, (uint)height, _options);
        if (count == 4)
        {
            throw new ImageFormatException("CMYK/YCCK JPEG (4 components, typically Adobe) is not supported; convert it to RGB first.");
        }

        if (count != 1 && count != 3)
        {
            throw new ImageFormatException($"JPEG has {count} components; only 1 (gray) and 3 (colour) are supported.");
        }

        if (s.Length < 6 + (3 * count))
        {
            throw new ImageFormatException("JPEG frame header (SOF) is too short for its components.");
        }

        _components = new JpegComponent[count];
        for (var i = 0; i < count; i++)
        {
            var c = s.Slice(6 + (3 * i), 3);
            int h = c[1] >> 4, v = c[1] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4 || c[2] > 3)
            {
                throw new ImageFormatException($"JPEG component {i} has invalid sampling {h}x{v} or quantisation table {c[2]}.");
            }

            _components[i] = new JpegComponent { Id = c[0], H = h, V = v, QuantTableIndex = c[2] };
        }

        _width = width;
        _height = height;
        _progressive = progressive;
        _maxH = _components.Max(c => c.H);
        _maxV = _components.Max(c => c.V);
        _mcusPerLine = CeilDiv(width, 8 * _maxH);
        _mcusPerColumn = CeilDiv(height, 8 * _maxV);
        long coefficientBytes = 0;
        foreach (var c in _components)
        {
            if (_maxH % c.H != 0 || _maxV % c.V != 0)
            {
                throw new ImageFormatException($"JPEG sampling factors {c.H}x{c.V} vs maximum {_maxH}x{_maxV} are not integral ratios; not supported.");
            }

            c.DownsampledWidth = CeilDiv(width * c.H, _maxH);
            c.DownsampledHeight = CeilDiv(height * c.V, _maxV);
            c.BlocksPerLine = CeilDiv(c.DownsampledWidth, 8);
            c.BlocksPerColumn = CeilDiv(c.DownsampledHeight, 8);
            c.AllocatedBlocksPerLine = _mcusPerLine * c.H;
            c.AllocatedBlocksPerColumn = _mcusPerColumn * c.V;
            coefficientBytes += (long)c.AllocatedBlocksPerLine * c.AllocatedBlocksPerColumn * 64 * sizeof(short);
        }

        if (coefficientBytes > Array.MaxLength)
        {
            throw new ImageFormatException($"JPEG {width}x{height} needs {coefficientBytes} bytes of coefficients; too large.");
        }

        foreach (var c in _components)
        {
            c.Coefficients = new short[c.AllocatedBlocksPerLine * c.AllocatedBlocksPerColumn * 64];
        }
    }

    private void ParseQuantTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            int precision = s[0] >> 4, index = s[0] & 15;
            var size = precision == 0 ? 64 : 128;
            if (index > 3 || precision > 1 || s.Length < 1 + size)
            {
                throw new ImageFormatException($"JPEG DQT segment is malformed (table {index}, precision {precision}, {s.Length - 1} bytes left).");
            }

            var table = new ushort[64];
            for (var k = 0; k < 64; k++)
            {
                var value = precision == 0 ? s[1 + k] : BinaryPrimitives.ReadUInt16BigEndian(s[(1 + (2 * k))..]);
                table[JpegTables.NaturalOrder[k]] = value;
            }

            _quantTables[index] = table;
            s = s[(1 + size)..];
        }
    }

    private void ParseHuffmanTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            if (s.Length < 17)
            {
                throw new ImageFormatException("JPEG DHT segment is truncated.");
            }

            int tableClass = s[0] >> 4, index = s[0] & 15;
            if (tableClass > 1 || index > 3)
            {
                throw new ImageFormatException($"JPEG DHT defines table class {tableClass} index {index}; only 0..1 and 0..3 exist.");
            }

            var counts = s.Slice(1, 16);
            var total = 0;
            foreach (var n in counts)
            {
                total += n;
            }

            if (total > 256 || s.Length < 17 + total)
            {
                throw new ImageFormatException($"JPEG DHT table declares {total} symbols; malformed.");
            }

            var table = new JpegHuffmanTable(counts, s.Slice(17, total), isDc: tableClass == 0);
            (tableClass == 0 ? _dcTables : _acTables)[index] = table;
            s = s[(17 + total)..];
        }
    }

    private int DecodeScan(ReadOnlySpan<byte> header, int dataStart, CancellationToken cancellationToken)
    {
        if (header.Length < 1)
        {
            throw new ImageFormatException("JPEG SOS segment is empty.");
        }

        int count = header[0];
        if (count < 1 || count > 4 || header.Length < 1 + (2 * count) + 3)
        {
            throw new ImageFormatException($"JPEG SOS segment is malformed ({count} components, {header.Length} bytes).");
        }

        var scanComponents = new JpegComponent[count];
        for (var i = 0; i < count; i++)
        {
            int id = header[1 + (2 * i)], tables = header[2 + (2 * i)];
            var component = Array.Find(_components, c => c.Id == id)
                ?? throw new ImageFormatException($"JPEG scan refers to component id {id}, which the frame does not define.");
            if (Array.IndexOf(scanComponents, component) >= 0)
            {
                throw new ImageFormatException($"JPEG scan lists component id {id} twice.");
            }

            scanComponents[i] = component;
            int dc = tables >> 4, ac = tables & 15;
            if (dc > 3 || ac > 3)
            {
                throw new ImageFormatException($"JPEG scan selects Huffman tables {dc}/{ac}; only 0..3 exist.");
            }

            component.DcTable = _dcTables[dc];
            component.AcTable = _acTables[ac];
            if (component.Quant is null)
            {
                component.Quant = _quantTables[component.QuantTableIndex]
                    ?? throw new ImageFormatException($"JPEG component {id} uses quantisation table {component.QuantTableIndex}, which is not defined.");
            }
        }

        var p = 1 + (2 * count);
        int ss = header[p], se = header[p + 1], ah = header[p + 2] >> 4, al = header[p + 2] & 15;
        ValidateScan(scanComponents, ss, se, ah, al);

        foreach (var c in scanComponents)
        {
            c.DcPredictor = 0;
        }

        _eobRun = 0;
        var reader = new JpegBitReader(_data, dataStart);
        var singleComponent = count == 1;
        var mcusPerLine = singleComponent ? scanComponents[0].BlocksPerLine : _mcusPerLine;
        var mcuRows = singleComponent ? scanComponents[0].BlocksPerColumn : _mcusPerColumn;
        var mcuCount = (long)mcusPerLine * mcuRows;
        var untilRestart = _restartInterval;
        for (long mcu = 0; mcu < mcuCount; mcu++)
        {
            if (_restartInterval > 0)
            {
                if (untilRestart == 0)
                {
                    reader.Restart();
                    foreach (var c in scanComponents)
                    {
                        c.DcPredictor = 0;
                    }

                    _eobRun = 0;
                    untilRestart = _restartInterval;
                }

                untilRestart--;
            }

            var mcuRow = (int)(mcu / mcusPerLine);
            var mcuColumn = (int)(mcu % mcusPerLine);
            if (mcuColumn == 0 && (mcuRow & 15) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (singleComponent)
            {
                DecodeBlock(ref reader, scanComponents[0], scanComponents[0].Block(mcuRow, mcuColumn), ss, se, ah, al);
                continue;
            }

            foreach (var c in scanComponents)
            {
                for (var v = 0; v < c.V; v++)
                {
                    for (var h = 0; h < c.H; h++)
                    {
                        DecodeBlock(ref reader, c, c.Block((mcuRow * c.V) + v, (mcuColumn * c.H) + h), ss, se, ah, al);
                    }
                }
            }
        }

        return reader.SeekMarker();
    }

    private void ValidateScan(JpegComponent[] scan, int ss, int se, int ah, int al)
    {
        if (!_progressive)
        {
            // libjpeg ignores Ss/Se/Ah/Al in sequential scans; so do we.
            foreach (var c in scan)
            {
                RequireTables(c, needDc: true, needAc: true);
            }

            return;
        }

        var bad = ss == 0 ? se != 0 : ss > se || se > 63 || scan.Length != 1;
        bad |= ah != 0 && al != ah - 1;
        bad |= al > 13;
        if (bad)
        {
            throw new ImageFormatException($"JPEG progressive scan parameters are invalid: Ss={ss} Se={se} Ah={ah} Al={al} with {scan.Length} component(s).");
        }

        foreach (var c in scan)
        {
            RequireTables(c, needDc: ss == 0 && ah == 0, needAc: ss > 0);
        }
    }

    private static void RequireTables(JpegComponent c, bool needDc, bool needAc)
    {
        if ((needDc && c.DcTable is null) || (needAc && c.AcTable is null))
        {
            throw new ImageFormatException($"JPEG scan uses a Huffman table for component {c.Id} that was never defined (DHT missing).");
        }
    }

    private void DecodeBlock(ref JpegBitReader reader, JpegComponent c, Span<short> block, int ss, int se, int ah, int al)
    {
        if (!_progressive)
        {
            DecodeBaseline(ref reader, c, block);
        }
        else if (ss == 0)
        {
            if (ah == 0)
            {
                var t = c.DcTable!.Decode(ref reader);
                c.DcPredictor += reader.ReceiveExtend(t);
                block[0] = (short)(c.DcPredictor << al);
            }
            else if (reader.ReadBit() != 0)
            {
                block[0] |= (short)(1 << al);
            }
        }
        else if (ah == 0)
        {
            DecodeAcFirst(ref reader, c, block, ss, se, al);
        }
        else
        {
            DecodeAcRefine(ref reader, c, block, ss, se, al);
        }
    }

    private static void DecodeBaseline(ref JpegBitReader reader, JpegComponent c, Span<short> block)
    {
        var t = c.DcTable!.Decode(ref reader);
        c.DcPredictor += reader.ReceiveExtend(t);
        block[0] = (short)c.DcPredictor;
        var ac = c.AcTable!;
        for (var k = 1; k < 64; k++)
        {
            var rs = ac.Decode(ref reader);
            int r = rs >> 4, s = rs & 15;
            if (s != 0)
            {
                k += r;
                block[JpegTables.NaturalOrder[k]] = (short)reader.ReceiveExtend(s);
            }
            else
            {
                if (r != 15)
                {
                    break;
                }

                k += 15;
            }
        }
    }

    private void DecodeAcFirst(ref JpegBitReader reader, JpegComponent c, Span<short> block, int ss, int se, int al)
    {
        if (_eobRun > 0)
        {
            _eobRun--;
            return;
        }

        var ac = c.AcTable!;
        for (var k = ss; k <= se; k++)
        {
            var rs = ac.Decode(ref reader);
            int r = rs >> 4, s = rs & 15;
            if (s != 0)
            {
                k += r;
                block[JpegTables.NaturalOrder[Math.Min(k, 79)]] = (short)(reader.ReceiveExtend(s) << al);
            }
            else if (r == 15)
            {
                k += 15;
            }
            else
            {
                _eobRun = (1 << r) - 1;
                if (r != 0)
                {
                    _eobRun += reader.ReadBits(r);
                }

                break;
            }
        }
    }

    private void DecodeAcRefine(ref JpegBitReader reader, JpegComponent c, Span<short> block, int ss, int se, int al)
    {
        var p1 = 1 << al;
        var m1 = -1 << al;
        var k = ss;
        if (_eobRun == 0)
        {
            var ac = c.AcTable!;
            for (; k <= se; k++)
            {
                var rs = ac.Decode(ref reader);
                int r = rs >> 4, s = rs & 15;
                if (s != 0)
                {
                    // A newly non-zero coefficient has magnitude 1 at this bit position; its sign follows.
                    s = reader.ReadBit() != 0 ? p1 : m1;
                }
                else if (r != 15)
                {
                    _eobRun = 1 << r;
                    if (r != 0)
                    {
                        _eobRun += reader.ReadBits(r);
                    }

                    break;
                }

                // Skip r zero coefficients, appending a correction bit to each non-zero one passed on the way.
                do
                {
                    ref var coefficient = ref block[JpegTables.NaturalOrder[k]];
                    if (coefficient != 0)
                    {
                        Refine(ref reader, ref coefficient, p1, m1);
                    }
                    else if (--r < 0)
                    {
                        break;
                    }

                    k++;
                }
                while (k <= se);

                if (s != 0)
                {
                    block[JpegTables.NaturalOrder[k]] = (short)s;
                }
            }
        }

        if (_eobRun > 0)
        {
            for (; k <= se; k++)
            {
                ref var coefficient = ref block[JpegTables.NaturalOrder[k]];
                if (coefficient != 0)
                {
                    Refine(ref reader, ref coefficient, p1, m1);
                }
            }

            _eobRun--;
        }
    }

    private static void Refine(ref JpegBitReader reader, ref short coefficient, int p1, int m1)
    {
        if (reader.ReadBit() != 0 && (coefficient & p1) == 0)
        {
            coefficient = (short)(coefficient >= 0 ? coefficient + p1 : coefficient + m1);
        }
    }

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
