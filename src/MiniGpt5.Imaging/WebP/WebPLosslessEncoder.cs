using System.Buffers.Binary;

namespace MiniGpt5.Imaging.WebP;

/// <summary>
/// Lossless WebP (VP8L, RFC 9649) encoder, deliberately simple: the subtract-green transform, greedy LZ77
/// backward references (previous-row and hash candidates), no colour cache, one set of five prefix codes with
/// length-limited Huffman codes. Output is valid VP8L that libwebp (and so Pillow) decodes to the exact pixels;
/// it compresses less than cwebp, which searches transforms and entropy images.
/// </summary>
public static class WebPLosslessEncoder
{
    private const int MaxDimension = 16384;
    private const int NumLengthCodes = 24;
    private const int NumDistanceCodes = 40;
    private const int MinMatch = 3;
    private const int MaxMatch = 4096;
    private const int HashBits = 16;

    private static ReadOnlySpan<byte> CodeLengthOrder => [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    /// <summary>Encodes <paramref name="image"/> as a complete lossless .webp file (RIFF container).</summary>
    public static byte[] Encode(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width > MaxDimension || image.Height > MaxDimension)
        {
            throw new ArgumentException($"WebP cannot hold {image.Width}x{image.Height}; the limit is {MaxDimension} per side.", nameof(image));
        }

        var argb = ToArgb(image, out var hasAlpha);
        var bits = new VP8LBitWriter();
        bits.Write(0x2F, 8);
        bits.Write(image.Width - 1, 14);
        bits.Write(image.Height - 1, 14);
        bits.Write(hasAlpha ? 1 : 0, 1);
        bits.Write(0, 3);

        // Subtract-green transform: red and blue are coded relative to green, which decorrelates most photos.
        bits.Write(1, 1);
        bits.Write(2, 2);
        for (var i = 0; i < argb.Length; i++)
        {
            var p = argb[i];
            var g = (p >> 8) & 0xFF;
            argb[i] = (p & 0xFF00FF00u) | ((((p >> 16) - g) & 0xFF) << 16) | (((p & 0xFF) - g) & 0xFF);
        }

        bits.Write(0, 1); // no more transforms
        bits.Write(0, 1); // no colour cache
        bits.Write(0, 1); // no meta prefix codes: one group for the whole image
        WriteEntropyCoded(bits, argb, image.Width);

        var payload = bits.ToArray();
        var padded = payload.Length + (payload.Length & 1);
        var file = new byte[20 + padded];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(12 + padded));
        "WEBPVP8L"u8.CopyTo(file.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), (uint)payload.Length);
        payload.CopyTo(file.AsSpan(20));
        return file;
    }

    private static uint[] ToArgb(Image image, out bool hasAlpha)
    {
        var n = image.Width * image.Height;
        var argb = new uint[n];
        var p = image.Pixels;
        var c = image.Channels;
        hasAlpha = false;
        for (var i = 0; i < n; i++)
        {
            uint r, g, b, a;
            if (c <= 2)
            {
                r = g = b = p[i * c];
                a = c == 2 ? p[(i * c) + 1] : 255u;
            }
            else
            {
                r = p[i * c];
                g = p[(i * c) + 1];
                b = p[(i * c) + 2];
                a = c == 4 ? p[(i * c) + 3] : 255u;
            }

            hasAlpha |= a != 255;
            argb[i] = (a << 24) | (r << 16) | (g << 8) | b;
        }

        return argb;
    }

    /// <summary>A literal pixel (Length 0) or a backward reference (Length ≥ 3 pixels, Distance ≥ 1 pixels).</summary>
    private readonly record struct Token(uint Pixel, int Length, int Distance);

    private static List<Token> FindReferences(uint[] argb, int width)
    {
        var tokens = new List<Token>(argb.Length / 2);
        var head = new int[1 << HashBits];
        Array.Fill(head, -1);
        var i = 0;
        while (i < argb.Length)
        {
            var bestLength = 0;
            var bestDistance = 0;
            if (i + 1 < argb.Length)
            {
                var h = Hash(argb[i], argb[i + 1]);
                Span<int> candidates = [head[h], i - width, i - 1];
                foreach (var candidate in candidates)
                {
                    if (candidate < 0 || candidate >= i)
                    {
                        continue;
                    }

                    var length = MatchLength(argb, candidate, i);
                    if (length > bestLength)
                    {
                        bestLength = length;
                        bestDistance = i - candidate;
                    }
                }

                head[h] = i;
            }

            if (bestLength >= MinMatch)
            {
                tokens.Add(new Token(0, bestLength, bestDistance));
                for (var k = 1; k < bestLength && i + k + 1 < argb.Length; k++)
                {
                    head[Hash(argb[i + k], argb[i + k + 1])] = i + k;
                }

                i += bestLength;
            }
            else
            {
                tokens.Add(new Token(argb[i], 0, 0));
                i++;
            }
        }

        return tokens;
    }

    private static int Hash(uint a, uint b) => (int)(((a * 0x9E3779B1u) ^ (b * 0x85EBCA77u)) >> (32 - HashBits));

    private static int MatchLength(uint[] argb, int from, int at)
    {
        var max = Math.Min(MaxMatch, argb.Length - at);
        var length = 0;
        while (length < max && argb[from + length] == argb[at + length])
        {
            length++;
        }

        return length;
    }

    private static void WriteEntropyCoded(VP8LBitWriter bits, uint[] argb, int width)
    {
        var tokens = FindReferences(argb, width);
        var green = new int[256 + NumLengthCodes];
        var red = new int[256];
        var blue = new int[256];
        var alpha = new int[256];
        var distance = new int[NumDistanceCodes];
        foreach (var t in tokens)
        {
            if (t.Length == 0)
            {
                green[(t.Pixel >> 8) & 0xFF]++;
                red[(t.Pixel >> 16) & 0xFF]++;
                blue[t.Pixel & 0xFF]++;
                alpha[t.Pixel >> 24]++;
            }
            else
            {
                green[256 + Prefix(t.Length).Code]++;
                distance[Prefix(t.Distance + 120).Code]++;
            }
        }

        var codes = new[] { green, red, blue, alpha, distance }.Select(h => WritePrefixCode(bits, h)).ToArray();
        foreach (var t in tokens)
        {
            if (t.Length == 0)
            {
                codes[0].Write(bits, (int)(t.Pixel >> 8) & 0xFF);
                codes[1].Write(bits, (int)(t.Pixel >> 16) & 0xFF);
                codes[2].Write(bits, (int)t.Pixel & 0xFF);
                codes[3].Write(bits, (int)(t.Pixel >> 24));
                continue;
            }

            var length = Prefix(t.Length);
            codes[0].Write(bits, 256 + length.Code);
            bits.Write(length.ExtraValue, length.ExtraBits);
            var dist = Prefix(t.Distance + 120);
            codes[4].Write(bits, dist.Code);
            bits.Write(dist.ExtraValue, dist.ExtraBits);
        }
    }

    /// <summary>VP8L's prefix coding of a value ≥ 1: a code 0..39 plus extra bits (inverse of the spec's decoder).</summary>
    private static (int Code, int ExtraBits, int ExtraValue) Prefix(int value)
    {
        var v = value - 1;
        if (v < 4)
        {
            return (v, 0, 0);
        }

        var highest = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)v);
        var second = (v >> (highest - 1)) & 1;
        var extraBits = highest - 1;
        return ((2 * highest) + second, extraBits, v & ((1 << extraBits) - 1));
    }

    /// <summary>Writes one prefix code for the histogram and returns the code to emit symbols with.</summary>
    private static SymbolCode WritePrefixCode(VP8LBitWriter bits, int[] histogram)
    {
        var used = new List<int>();
        for (var s = 0; s < histogram.Length; s++)
        {
            if (histogram[s] > 0)
            {
                used.Add(s);
            }
        }

        if (used.Count <= 1 && (used.Count == 0 || used[0] < 256))
        {
            // Simple code with one symbol: it costs zero bits per use.
            var symbol = used.Count == 0 ? 0 : used[0];
            bits.Write(1, 1);
            bits.Write(0, 1);
            if (symbol < 2)
            {
                bits.Write(0, 1);
                bits.Write(symbol, 1);
            }
            else
            {
                bits.Write(1, 1);
                bits.Write(symbol, 8);
            }

            return SymbolCode.Single;
        }

        var lengths = HuffmanLengths.Build(histogram, 15);
        bits.Write(0, 1); // normal code

        // The code lengths are sent with a "code length code" over 0..15 (no run-length symbols used).
        var lengthCounts = new int[19];
        foreach (var l in lengths)
        {
            lengthCounts[l]++;
        }

        var lengthCodeLengths = HuffmanLengths.Build(lengthCounts, 7);
        var lengthCodes = HuffmanLengths.Codes(lengthCodeLengths);
        var lengthCodeUsed = lengthCounts.Count(c => c > 0);
        var count = 19;
        while (count > 4 && lengthCodeLengths[CodeLengthOrder[count - 1]] == 0)
        {
            count--;
        }

        bits.Write(count - 4, 4);
        for (var i = 0; i < count; i++)
        {
            bits.Write(lengthCodeLengths[CodeLengthOrder[i]], 3);
        }

        bits.Write(0, 1); // max_symbol not used: every symbol's length follows
        foreach (var l in lengths)
        {
            if (lengthCodeUsed > 1)
            {
                bits.Write(lengthCodes[l], lengthCodeLengths[l]);
            }
        }

        return used.Count == 1 ? SymbolCode.Single : new SymbolCode(HuffmanLengths.Codes(lengths), lengths);
    }

    /// <summary>Emits symbols with a canonical code; a one-symbol code emits nothing (libwebp reads zero bits).</summary>
    private sealed class SymbolCode(ushort[]? codes, byte[]? lengths)
    {
        public static SymbolCode Single { get; } = new(null, null);

        public void Write(VP8LBitWriter bits, int symbol)
        {
            if (codes is not null)
            {
                bits.Write(codes[symbol], lengths![symbol]);
            }
        }
    }
}
