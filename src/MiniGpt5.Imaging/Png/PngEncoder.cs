using System.Buffers.Binary;
using System.IO.Compression;

namespace MiniGpt5.Imaging.Png;

/// <summary>
/// PNG encoder for 8-bit gray, gray+alpha, RGB and RGBA images: non-interlaced, adaptive per-row filters,
/// zlib at a chosen level, image data split into IDAT chunks of at most 256 KiB.
/// </summary>
public static class PngEncoder
{
    private const int MaxIdatChunk = 256 * 1024;

    /// <summary>Encodes <paramref name="image"/> to a complete PNG file.</summary>
    public static byte[] Encode(Image image, PngEncoderOptions? options = null)
    {
        using var output = new MemoryStream();
        Encode(image, output, options);
        return output.ToArray();
    }

    /// <summary>Writes <paramref name="image"/> as PNG to <paramref name="output"/>.</summary>
    public static void Encode(Image image, Stream output, PngEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(output);
        options ??= PngEncoderOptions.Default;
        if (options.CompressionLevel is < 0 or > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CompressionLevel, "PNG compression level must be 0..9.");
        }

        output.Write(ImageFormatDetector.PngSignature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)image.Width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)image.Height);
        ihdr[8] = 8;
        ihdr[9] = image.Format switch
        {
            PixelFormat.Gray => 0,
            PixelFormat.GrayAlpha => 4,
            PixelFormat.Rgb => 2,
            _ => 6,
        };
        WriteChunk(output, "IHDR"u8, ihdr);

        var compressed = Compress(image, options);
        for (var offset = 0; offset < compressed.Length; offset += MaxIdatChunk)
        {
            WriteChunk(output, "IDAT"u8, compressed.AsSpan(offset, Math.Min(MaxIdatChunk, compressed.Length - offset)));
        }

        WriteChunk(output, "IEND"u8, []);
    }

    private static byte[] Compress(Image image, PngEncoderOptions options)
    {
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, new ZLibCompressionOptions { CompressionLevel = options.CompressionLevel }, leaveOpen: true))
        {
            var stride = image.Stride;
            var bpp = image.Channels;
            var previous = new byte[stride];
            var candidate = new byte[stride + 1];
            var best = new byte[stride + 1];
            for (var y = 0; y < image.Height; y++)
            {
                var row = image.Row(y);
                if (options.Filter == PngFilterStrategy.Adaptive)
                {
                    var bestScore = long.MaxValue;
                    for (var f = PngFilters.None; f <= PngFilters.Paeth; f++)
                    {
                        candidate[0] = (byte)f;
                        PngFilters.Filter(f, row, previous, bpp, candidate.AsSpan(1));
                        var score = Score(candidate.AsSpan(1), bestScore);
                        if (score < bestScore)
                        {
                            bestScore = score;
                            (best, candidate) = (candidate, best);
                        }
                    }
                }
                else
                {
                    var f = (int)options.Filter - 1;
                    best[0] = (byte)f;
                    PngFilters.Filter(f, row, previous, bpp, best.AsSpan(1));
                }

                zlib.Write(best);
                row.CopyTo(previous);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Sum of residuals read as signed bytes; stops early once it exceeds the best so far.</summary>
    private static long Score(ReadOnlySpan<byte> filtered, long limit)
    {
        long sum = 0;
        foreach (var b in filtered)
        {
            sum += b < 128 ? b : 256 - b;
            if (sum >= limit)
            {
                return sum;
            }
        }

        return sum;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Update(Crc32.Compute(type), data));
        output.Write(word);
    }
}
