using System.Buffers.Binary;

namespace MiniGpt5.Functions.Books;

/// <summary>Reads a PNG's size from its signature and IHDR chunk, without decoding it.</summary>
internal static class PngHeader
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height, or null with a reason when the bytes are not a PNG.</summary>
    public static (int Width, int Height)? TryRead(ReadOnlySpan<byte> png, out string? problem)
    {
        problem = null;
        if (png.Length < 33 || !png.StartsWith(Signature))
        {
            problem = png.Length == 0 ? "the file is empty" : "the file is not a PNG (no PNG signature)";
            return null;
        }

        // The first chunk must be IHDR: 4-byte length 13, type "IHDR", then width and height (big-endian).
        if (BinaryPrimitives.ReadUInt32BigEndian(png[8..]) != 13 || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            problem = "the PNG does not start with an IHDR chunk";
            return null;
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(png[16..]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(png[20..]);
        if (width is 0 or > 65535 || height is 0 or > 65535)
        {
            problem = $"the PNG claims an implausible size {width}x{height}";
            return null;
        }

        return ((int)width, (int)height);
    }
}
