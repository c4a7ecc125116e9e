using System.Buffers.Binary;

namespace MiniGpt5.Imaging.Jpeg;

/// <summary>
/// Baseline JPEG encoder that reproduces libjpeg-turbo as Pillow drives it: JFIF header, Annex K tables scaled
/// by quality, fixed-point RGB→YCbCr, libjpeg's edge replication and 2×1/2×2 box downsampling with alternating
/// bias, islow FDCT, reciprocal quantisation, dummy-block DC copying, standard Huffman tables. For the same
/// pixels, quality and subsampling the file is byte-identical to Pillow 9.4 + libjpeg-turbo 2.1 output
/// (checked by the golden tests). Gray images give one-component files; alpha is dropped (Pillow refuses it).
/// </summary>
public static class JpegEncoder
{
    private const int ScaleBits = 16;
    private const int OneHalf = 1 << (ScaleBits - 1);
    private const int CbCrOffset = 128 << ScaleBits;

    /// <summary>Encodes <paramref name="image"/> to a complete JPEG file.</summary>
    public static byte[] Encode(Image image, JpegEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= JpegEncoderOptions.Default;
        if (options.Quality is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Quality, "JPEG quality must be 1..100.");
        }

        if (image.Width > 65535 || image.Height > 65535)
        {
            throw new ArgumentException($"JPEG cannot hold {image.Width}x{image.Height}; the limit is 65535 per side.", nameof(image));
        }

        var gray = image.Format is PixelFormat.Gray or PixelFormat.GrayAlpha;
        var source = image.ConvertTo(gray ? PixelFormat.Gray : PixelFormat.Rgb);
        var quant = new[] { ScaleTable(JpegTables.StandardLuminanceQuant, options.Quality), ScaleTable(JpegTables.StandardChrominanceQuant, options.Quality) };
        var (h0, v0) = gray ? (1, 1) : options.Subsampling switch
        {
            JpegSubsampling.Chroma444 => (1, 1),
            JpegSubsampling.Chroma422 => (2, 1),
            _ => (2, 2),
        };

        var planes = gray ? [source.Pixels] : ToYCbCr(source);
        var componentCount = planes.Length;
        var factors = new (int H, int V)[componentCount];
        factors[0] = (h0, v0);
        for (var i = 1; i < componentCount; i++)
        {
            factors[i] = (1, 1);
        }

        int width = image.Width, height = image.Height;
        var mcusPerLine = CeilDiv(width, 8 * h0);
        var mcusPerColumn = CeilDiv(height, 8 * v0);

        using var output = new MemoryStream();
        WriteHeaders(output, width, height, factors, quant, componentCount);

        var writer = new JpegBitWriter(output);
        var huffman = new[] { JpegHuffmanEncoder.LuminanceDc, JpegHuffmanEncoder.LuminanceAc, JpegHuffmanEncoder.ChrominanceDc, JpegHuffmanEncoder.ChrominanceAc };
        var divisors = new[] { JpegForwardDct.Divisors(quant[0]), JpegForwardDct.Divisors(quant[1]) };
        var components = new EncoderComponent[componentCount];
        for (var ci = 0; ci < componentCount; ci++)
        {
            var (h, v) = factors[ci];
            var hExpand = h0 / h;
            var vExpand = v0 / v;
            var downsampledWidth = CeilDiv(width * h, h0);
            var downsampledHeight = CeilDiv(height * v, v0);
            var blocksWide = CeilDiv(downsampledWidth, 8);
            var blocksHigh = CeilDiv(downsampledHeight, 8);
            var plane = Downsample(planes[ci], width, height, hExpand, vExpand, blocksWide * 8, mcusPerColumn * v * 8);
            components[ci] = new EncoderComponent(h, v, blocksWide, blocksHigh, blocksWide * 8, plane, divisors[ci == 0 ? 0 : 1],
                huffman[ci == 0 ? 0 : 2], huffman[ci == 0 ? 1 : 3]);
        }

        Span<short> block = stackalloc short[64];
        if (componentCount == 1)
        {
            // Non-interleaved: the scan covers exactly the blocks that hold samples.
            var c = components[0];
            var lastDc = 0;
            for (var by = 0; by < c.BlocksHigh; by++)
            {
                for (var bx = 0; bx < c.BlocksWide; bx++)
                {
                    JpegForwardDct.TransformAndQuantize(c.Plane.AsSpan((by * 8 * c.Stride) + (bx * 8)), c.Stride, c.Divisors, block);
                    writer.WriteBlock(block, ref lastDc, c.Dc, c.Ac);
                }
            }
        }
        else
        {
            var lastDc = new int[componentCount];
            var mcu = new short[componentCount][];
            for (var ci = 0; ci < componentCount; ci++)
            {
                mcu[ci] = new short[components[ci].H * components[ci].V * 64];
            }

            for (var my = 0; my < mcusPerColumn; my++)
            {
                for (var mx = 0; mx < mcusPerLine; mx++)
                {
                    for (var ci = 0; ci < componentCount; ci++)
                    {
                        FillMcu(components[ci], mx, my, mcu[ci]);
                        for (var b = 0; b < components[ci].H * components[ci].V; b++)
                        {
                            writer.WriteBlock(mcu[ci].AsSpan(b * 64, 64), ref lastDc[ci], components[ci].Dc, components[ci].Ac);
                        }
                    }
                }
            }
        }

        writer.Flush();
        output.Write([0xFF, 0xD9]);
        return output.ToArray();
    }

    /// <summary>
    /// The blocks of one component in one MCU, in scan order. Blocks right of or below the component's real
    /// blocks are "dummy" blocks: all AC zero and DC copied from the block before, as jccoefct.c makes them.
    /// </summary>
    private static void FillMcu(EncoderComponent c, int mx, int my, short[] mcu)
    {
        var n = 0;
        for (var v = 0; v < c.V; v++)
        {
            var by = (my * c.V) + v;
            for (var h = 0; h < c.H; h++, n++)
            {
                var bx = (mx * c.H) + h;
                var block = mcu.AsSpan(n * 64, 64);
                if (by < c.BlocksHigh && bx < c.BlocksWide)
                {
                    JpegForwardDct.TransformAndQuantize(c.Plane.AsSpan((by * 8 * c.Stride) + (bx * 8)), c.Stride, c.Divisors, block);
                }
                else
                {
                    // Row dummies copy the DC of the last block of the previous row in this MCU, column dummies the
                    // block to their left: both are simply "the previous block" in scan order.
                    var dc = mcu[(n - 1) * 64];
                    block.Clear();
                    block[0] = dc;
                }
            }
        }
    }

    private static ushort[] ScaleTable(ReadOnlySpan<byte> basic, int quality)
    {
        // jpeg_quality_scaling then jpeg_add_quant_table with force_baseline.
        var scale = quality < 50 ? 5000 / quality : 200 - (quality * 2);
        var table = new ushort[64];
        for (var i = 0; i < 64; i++)
        {
            var value = ((basic[i] * scale) + 50) / 100;
            table[i] = (ushort)Math.Clamp(value, 1, 255);
        }

        return table;
    }

    /// <summary>RGB → Y, Cb, Cr planes with jccolor.c's 16-bit fixed point (Cb/Cr round with 0.5 − ε).</summary>
    private static byte[][] ToYCbCr(Image rgb)
    {
        var n = rgb.Width * rgb.Height;
        var y = new byte[n];
        var cb = new byte[n];
        var cr = new byte[n];
        var p = rgb.Pixels;
        int fy0 = Fix(0.29900), fy1 = Fix(0.58700), fy2 = Fix(0.11400);
        int fcb0 = Fix(0.16874), fcb1 = Fix(0.33126), fhalf = Fix(0.5);
        int fcr1 = Fix(0.41869), fcr2 = Fix(0.08131);
        for (var i = 0; i < n; i++)
        {
            int r = p[3 * i], g = p[(3 * i) + 1], b = p[(3 * i) + 2];
            y[i] = (byte)(((fy0 * r) + (fy1 * g) + (fy2 * b) + OneHalf) >> ScaleBits);
            cb[i] = (byte)((-(fcb0 * r) - (fcb1 * g) + (fhalf * b) + CbCrOffset + OneHalf - 1) >> ScaleBits);
            cr[i] = (byte)(((fhalf * r) - (fcr1 * g) - (fcr2 * b) + CbCrOffset + OneHalf - 1) >> ScaleBits);
        }

        return [y, cb, cr];
    }

    /// <summary>
    /// One component's sample plane, <paramref name="outWidth"/> × <paramref name="outHeight"/>: full-resolution
    /// rows are padded to a multiple of the vertical factor by repeating the last row, columns by repeating the
    /// last column; 2×1/2×2 box averages use libjpeg's alternating 1,2 (2×2) or 0,1 (2×1) bias; the rows past the
    /// last downsampled row repeat it (jcprepct.c expand_bottom_edge).
    /// </summary>
    private static byte[] Downsample(byte[] full, int width, int height, int hExpand, int vExpand, int outWidth, int outHeight)
    {
        var plane = new byte[outWidth * outHeight];
        var realRows = CeilDiv(height, vExpand);
        for (var oy = 0; oy < outHeight; oy++)
        {
            var sy = Math.Min(oy, realRows - 1);
            var row = plane.AsSpan(oy * outWidth, outWidth);
            if (oy != sy)
            {
                plane.AsSpan(sy * outWidth, outWidth).CopyTo(row);
                continue;
            }

            var y0 = Math.Min(sy * vExpand, height - 1) * width;
            var y1 = Math.Min((sy * vExpand) + 1, height - 1) * width;
            for (var ox = 0; ox < outWidth; ox++)
            {
                var x0 = Math.Min(ox * hExpand, width - 1);
                var x1 = Math.Min((ox * hExpand) + 1, width - 1);
                row[ox] = (hExpand, vExpand) switch
                {
                    (1, 1) => full[y0 + x0],
                    (2, 1) => (byte)((full[y0 + x0] + full[y0 + x1] + (ox & 1)) >> 1),
                    _ => (byte)((full[y0 + x0] + full[y0 + x1] + full[y1 + x0] + full[y1 + x1] + 1 + (ox & 1)) >> 2),
                };
            }
        }

        return plane;
    }

    private static void WriteHeaders(Stream output, int width, int height, (int H, int V)[] factors, ushort[][] quant, int componentCount)
    {
        output.Write([0xFF, 0xD8]);
        output.Write([0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
        Span<byte> dqt = stackalloc byte[69];
        for (var t = 0; t < Math.Min(componentCount, 2); t++)
        {
            dqt[0] = 0xFF;
            dqt[1] = 0xDB;
            BinaryPrimitives.WriteUInt16BigEndian(dqt[2..], 67);
            dqt[4] = (byte)t;
            for (var k = 0; k < 64; k++)
            {
                dqt[5 + k] = (byte)quant[t][JpegTables.NaturalOrder[k]];
            }

            output.Write(dqt);
        }

        var sof = new byte[10 + (3 * componentCount)];
        sof[0] = 0xFF;
        sof[1] = 0xC0;
        BinaryPrimitives.WriteUInt16BigEndian(sof.AsSpan(2), (ushort)(8 + (3 * componentCount)));
        sof[4] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(sof.AsSpan(5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(sof.AsSpan(7), (ushort)width);
        sof[9] = (byte)componentCount;
        for (var ci = 0; ci < componentCount; ci++)
        {
            sof[10 + (3 * ci)] = (byte)(ci + 1);
            sof[11 + (3 * ci)] = (byte)((factors[ci].H << 4) | factors[ci].V);
            sof[12 + (3 * ci)] = (byte)(ci == 0 ? 0 : 1);
        }

        output.Write(sof);
        JpegHuffmanEncoder.WriteTable(output, 0x00, JpegTables.DcLuminanceBits, JpegTables.DcLuminanceValues);
        JpegHuffmanEncoder.WriteTable(output, 0x10, JpegTables.AcLuminanceBits, JpegTables.AcLuminanceValues);
        if (componentCount > 1)
        {
            JpegHuffmanEncoder.WriteTable(output, 0x01, JpegTables.DcChrominanceBits, JpegTables.DcChrominanceValues);
            JpegHuffmanEncoder.WriteTable(output, 0x11, JpegTables.AcChrominanceBits, JpegTables.AcChrominanceValues);
        }

        var sos = new byte[8 + (2 * componentCount)];
        sos[0] = 0xFF;
        sos[1] = 0xDA;
        BinaryPrimitives.WriteUInt16BigEndian(sos.AsSpan(2), (ushort)(6 + (2 * componentCount)));
        sos[4] = (byte)componentCount;
        for (var ci = 0; ci < componentCount; ci++)
        {
            sos[5 + (2 * ci)] = (byte)(ci + 1);
            sos[6 + (2 * ci)] = (byte)(ci == 0 ? 0x00 : 0x11);
        }

        sos[^3] = 0;
        sos[^2] = 63;
        sos[^1] = 0;
        output.Write(sos);
    }

    private static int Fix(double x) => (int)((x * (1 << ScaleBits)) + 0.5);

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;

    private sealed record EncoderComponent(
        int H, int V, int BlocksWide, int BlocksHigh, int Stride, byte[] Plane,
        (ushort[] Reciprocal, ushort[] Correction, int[] Shift) Divisors, JpegHuffmanEncoder Dc, JpegHuffmanEncoder Ac);
}
