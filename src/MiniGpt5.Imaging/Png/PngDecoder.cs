using System.Buffers.Binary;
using System.IO.Compression;

namespace MiniGpt5.Imaging.Png;

/// <summary>
/// PNG decoder: every colour type and bit depth of the spec, Adam7, all five filters, CRC-checked chunks.
/// Output matches Pillow's <c>Image.open(f).convert(mode)</c> for the layout returned: palette images become
/// RGB (RGBA when tRNS is present), gray/RGB with a tRNS colour key gain an alpha channel, 1/2/4-bit gray is
/// scaled to 0..255, and 16-bit samples keep their high byte (as Pillow's RGB;16B unpackers do). Gamma, ICC and
/// text chunks are ignored, as Pillow ignores them when converting.
/// </summary>
internal static class PngDecoder
{
    private const int ColorGray = 0;
    private const int ColorRgb = 2;
    private const int ColorPalette = 3;
    private const int ColorGrayAlpha = 4;
    private const int ColorRgba = 6;

    public static Image Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options)
    {
        if (!data.StartsWith(ImageFormatDetector.PngSignature))
        {
            throw new ImageFormatException("not a PNG file (signature mismatch).");
        }

        Header? header = null;
        byte[]? palette = null;   // RGB triples
        byte[]? paletteAlpha = null;
        ushort[]? colorKey = null; // tRNS gray (1 value) or RGB (3 values) at the image's bit depth
        var exifOrientation = 1;
        using var idat = new MemoryStream();
        var sawIend = false;
        var position = 8;
        while (position < data.Length)
        {
            if (data.Length - position < 12)
            {
                throw new ImageFormatException($"truncated PNG: chunk header at offset {position} needs 12 bytes, {data.Length - position} left.");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(data[position..]);
            var typeBytes = data.Slice(position + 4, 4);
            var type = ChunkName(typeBytes);
            if (length > int.MaxValue || length > (uint)(data.Length - position - 12))
            {
                throw new ImageFormatException($"truncated PNG: chunk '{type}' at offset {position} declares {length} bytes but only {Math.Max(0, data.Length - position - 12)} remain.");
            }

            var body = data.Slice(position + 8, (int)length);
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data[(position + 8 + (int)length)..]);
            var actualCrc = Crc32.Update(Crc32.Compute(typeBytes), body);
            if (storedCrc != actualCrc)
            {
                throw new ImageFormatException($"PNG chunk '{type}' at offset {position} is corrupt: stored CRC 0x{storedCrc:X8}, computed 0x{actualCrc:X8}.");
            }

            position += 12 + (int)length;
            if (header is null && type != "IHDR")
            {
                throw new ImageFormatException($"PNG must start with an IHDR chunk, found '{type}'.");
            }

            switch (type)
            {
                case "IHDR":
                    if (header is not null)
                    {
                        throw new ImageFormatException("PNG has a second IHDR chunk.");
                    }

                    header = ParseHeader(body, options);
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768)
                    {
                        throw new ImageFormatException($"PNG PLTE chunk has {length} bytes; it must hold 1..256 RGB entries.");
                    }

                    palette = body.ToArray();
                    break;
                case "tRNS":
                    (paletteAlpha, colorKey) = ParseTransparency(body, header!);
                    break;
                case "eXIf":
                    exifOrientation = ExifReader.ReadOrientation(body);
                    break;
                case "IDAT":
                    idat.Write(body);
                    break;
                case "IEND":
                    sawIend = true;
                    break;
                default:
                    if (char.IsUpper(type[0]))
                    {
                        throw new ImageFormatException($"PNG has unknown critical chunk '{type}'; cannot decode it safely.");
                    }

                    break; // ancillary: gAMA, cHRM, iCCP, sRGB, pHYs, text, time... ignored as Pillow's convert ignores them
            }

            if (sawIend)
            {
                break;
            }
        }

        if (header is null)
        {
            throw new ImageFormatException("truncated PNG: no IHDR chunk.");
        }

        if (header.ColorType == ColorPalette && palette is null)
        {
            throw new ImageFormatException("palette PNG (colour type 3) has no PLTE chunk.");
        }

        if (idat.Length == 0)
        {
            throw new ImageFormatException("truncated PNG: no IDAT image data.");
        }

        var raw = Inflate(idat, header);
        var outputFormat = header.ColorType switch
        {
            ColorGray => colorKey is null ? PixelFormat.Gray : PixelFormat.GrayAlpha,
            ColorRgb => colorKey is null ? PixelFormat.Rgb : PixelFormat.Rgba,
            ColorPalette => paletteAlpha is null ? PixelFormat.Rgb : PixelFormat.Rgba,
            ColorGrayAlpha => PixelFormat.GrayAlpha,
            _ => PixelFormat.Rgba,
        };
        var image = new Image(header.Width, header.Height, outputFormat) { ExifOrientation = exifOrientation };
        var expander = new RowExpander(header, palette, paletteAlpha, colorKey, outputFormat);
        Unfilter(raw, header, image, expander);
        return image;
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> chars = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            var b = type[i];
            chars[i] = b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' ? (char)b : '?';
        }

        return new string(chars);
    }

    private static Header ParseHeader(ReadOnlySpan<byte> body, ImageDecodeOptions options)
    {
        if (body.Length != 13)
        {
            throw new ImageFormatException($"PNG IHDR has {body.Length} bytes; it must have 13.");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(body);
        var height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int depth = body[8], colorType = body[9], compression = body[10], filter = body[11], interlace = body[12];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw new ImageFormatException($"PNG declares invalid size {width}x{height}.");
        }

        ImageCodec.CheckPixelLimit(width, height, options);
        var validDepth = colorType switch
        {
            ColorGray => depth is 1 or 2 or 4 or 8 or 16,
            ColorPalette => depth is 1 or 2 or 4 or 8,
            ColorRgb or ColorGrayAlpha or ColorRgba => depth is 8 or 16,
            _ => throw new ImageFormatException($"PNG declares colour type {colorType}; valid types are 0, 2, 3, 4, 6."),
        };
        if (!validDepth)
        {
            throw new ImageFormatException($"PNG colour type {colorType} cannot have bit depth {depth}.");
        }

        if (compression != 0 || filter != 0 || interlace > 1)
        {
            throw new ImageFormatException($"PNG declares compression {compression}, filter method {filter}, interlace {interlace}; only 0, 0, 0/1 exist.");
        }

        var samples = colorType switch { ColorGray or ColorPalette => 1, ColorGrayAlpha => 2, ColorRgb => 3, _ => 4 };
        return new Header((int)width, (int)height, depth, colorType, interlace == 1, samples);
    }

    private static (byte[]? PaletteAlpha, ushort[]? ColorKey) ParseTransparency(ReadOnlySpan<byte> body, Header header)
    {
        switch (header.ColorType)
        {
            case ColorPalette:
                if (body.Length > 256)
                {
                    throw new ImageFormatException($"PNG tRNS chunk has {body.Length} palette alphas; at most 256 are allowed.");
                }

                var alpha = new byte[256];
                alpha.AsSpan().Fill(255);
                body.CopyTo(alpha);
                return (alpha, null);
            case ColorGray:
                if (body.Length != 2)
                {
                    throw new ImageFormatException($"PNG tRNS chunk for a gray image has {body.Length} bytes; it must have 2.");
                }

                return (null, [BinaryPrimitives.ReadUInt16BigEndian(body)]);
            case ColorRgb:
                if (body.Length != 6)
                {
                    throw new ImageFormatException($"PNG tRNS chunk for an RGB image has {body.Length} bytes; it must have 6.");
                }

                return (null, [BinaryPrimitives.ReadUInt16BigEndian(body), BinaryPrimitives.ReadUInt16BigEndian(body[2..]), BinaryPrimitives.ReadUInt16BigEndian(body[4..])]);
            default:
                return (null, null); // images with an alpha channel may not carry tRNS; ignore it like libpng does
        }
    }

    /// <summary>(width, height) of each Adam7 pass, or the whole image when not interlaced.</summary>
    private static IEnumerable<Pass> Passes(Header header)
    {
        if (!header.Interlaced)
        {
            yield return new Pass(0, 0, 1, 1, header.Width, header.Height);
            yield break;
        }

        ReadOnlySpan<int> x0 = [0, 4, 0, 2, 0, 1, 0];
        ReadOnlySpan<int> y0 = [0, 0, 4, 0, 2, 0, 1];
        ReadOnlySpan<int> dx = [8, 8, 4, 4, 2, 2, 1];
        ReadOnlySpan<int> dy = [8, 8, 8, 4, 4, 2, 2];
        var passes = new Pass[7];
        for (var p = 0; p < 7; p++)
        {
            var w = (header.Width - x0[p] + dx[p] - 1) / dx[p];
            var h = (header.Height - y0[p] + dy[p] - 1) / dy[p];
            passes[p] = new Pass(x0[p], y0[p], dx[p], dy[p], Math.Max(0, w), Math.Max(0, h));
        }

        foreach (var pass in passes)
        {
            yield return pass;
        }
    }

    private static long RowBytes(Header header, int width) => ((long)width * header.Samples * header.Depth + 7) / 8;

    private static byte[] Inflate(MemoryStream idat, Header header)
    {
        long expected = 0;
        foreach (var pass in Passes(header))
        {
            if (pass.Width > 0 && pass.Height > 0)
            {
                expected += pass.Height * (1 + RowBytes(header, pass.Width));
            }
        }

        if (expected > Array.MaxLength)
        {
            throw new ImageFormatException($"PNG image data would need {expected} bytes, more than one buffer can hold.");
        }

        var raw = new byte[expected];
        idat.Position = 0;
        try
        {
            using var zlib = new ZLibStream(idat, CompressionMode.Decompress, leaveOpen: true);
            var read = 0;
            while (read < raw.Length)
            {
                var n = zlib.Read(raw, read, raw.Length - read);
                if (n == 0)
                {
                    throw new ImageFormatException($"truncated PNG: image data inflates to {read} bytes, {expected} are needed for {header.Width}x{header.Height}.");
                }

                read += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException($"PNG image data (IDAT) is not valid zlib data: {e.Message}", e);
        }

        return raw;
    }

    private static void Unfilter(byte[] raw, Header header, Image image, RowExpander expander)
    {
        var bytesPerPixel = Math.Max(1, header.Samples * header.Depth / 8);
        var offset = 0;
        foreach (var pass in Passes(header))
        {
            if (pass.Width == 0 || pass.Height == 0)
            {
                continue;
            }

            var rowBytes = (int)RowBytes(header, pass.Width);
            var previous = new byte[rowBytes];
            for (var y = 0; y < pass.Height; y++)
            {
                var filter = raw[offset];
                var row = raw.AsSpan(offset + 1, rowBytes);
                PngFilters.Unfilter(filter, row, previous, bytesPerPixel);
                expander.Expand(row, image, pass.Y0 + (y * pass.Dy), pass.X0, pass.Dx, pass.Width);
                row.CopyTo(previous);
                offset += 1 + rowBytes;
            }
        }
    }

    private sealed record Header(int Width, int Height, int Depth, int ColorType, bool Interlaced, int Samples);

    private readonly record struct Pass(int X0, int Y0, int Dx, int Dy, int Width, int Height);

    /// <summary>Turns one unfiltered row of raw samples into 8-bit output pixels.</summary>
    private sealed class RowExpander(Header header, byte[]? palette, byte[]? paletteAlpha, ushort[]? colorKey, PixelFormat output)
    {
        private readonly int _paletteEntries = palette is null ? 0 : palette.Length / 3;

        public void Expand(ReadOnlySpan<byte> row, Image image, int y, int x0, int dx, int count)
        {
            var outC = (int)output;
            var dest = image.Pixels.AsSpan(y * image.Stride);
            for (var i = 0; i < count; i++)
            {
                var o = (x0 + (i * dx)) * outC;
                switch (header.ColorType)
                {
                    case ColorGray:
                        {
                            var v = Sample(row, i);
                            dest[o] = To8(v);
                            if (colorKey is not null)
                            {
                                dest[o + 1] = v == colorKey[0] ? (byte)0 : (byte)255;
                            }

                            break;
                        }

                    case ColorPalette:
                        {
                            var index = Sample(row, i);
                            if (index < _paletteEntries)
                            {
                                dest[o] = palette![index * 3];
                                dest[o + 1] = palette[(index * 3) + 1];
                                dest[o + 2] = palette[(index * 3) + 2];
                            }
                            else
                            {
                                dest[o] = dest[o + 1] = dest[o + 2] = 0; // out-of-range index: black, as Pillow's zero-filled palette gives
                            }

                            if (paletteAlpha is not null)
                            {
                                dest[o + 3] = paletteAlpha[index];
                            }

                            break;
                        }

                    case ColorRgb:
                        {
                            int r = Sample(row, 3 * i), g = Sample(row, (3 * i) + 1), b = Sample(row, (3 * i) + 2);
                            dest[o] = To8(r);
                            dest[o + 1] = To8(g);
                            dest[o + 2] = To8(b);
                            if (colorKey is not null)
                            {
                                dest[o + 3] = r == colorKey[0] && g == colorKey[1] && b == colorKey[2] ? (byte)0 : (byte)255;
                            }

                            break;
                        }

                    default:
                        for (var c = 0; c < header.Samples; c++)
                        {
                            dest[o + c] = To8(Sample(row, (header.Samples * i) + c));
                        }

                        break;
                }
            }
        }

        private int Sample(ReadOnlySpan<byte> row, int index) => header.Depth switch
        {
            8 => row[index],
            16 => (row[2 * index] << 8) | row[(2 * index) + 1],
            4 => (row[index >> 1] >> (4 - ((index & 1) * 4))) & 0xF,
            2 => (row[index >> 2] >> (6 - ((index & 3) * 2))) & 0x3,
            _ => (row[index >> 3] >> (7 - (index & 7))) & 0x1,
        };

        private byte To8(int v) => header.ColorType == ColorPalette ? (byte)v : header.Depth switch
        {
            8 => (byte)v,
            16 => (byte)(v >> 8),
            4 => (byte)(v * 17),
            2 => (byte)(v * 85),
            _ => (byte)(v * 255),
        };
    }
}
