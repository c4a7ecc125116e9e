using System.Buffers.Binary;

namespace MiniGpt5.Imaging;

/// <summary>
/// Reads the one EXIF field decoding needs, Orientation (tag 0x0112 in IFD0), from a TIFF-structured EXIF block
/// (JPEG APP1 after "Exif\0\0", or a PNG eXIf chunk). Malformed EXIF is ignored (orientation 1), never an error:
/// Pillow treats it the same way and the pixels are still good.
/// </summary>
internal static class ExifReader
{
    private const ushort OrientationTag = 0x0112;

    public static int ReadOrientation(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return 1;
        }

        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I')
        {
            little = true;
        }
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M')
        {
            little = false;
        }
        else
        {
            return 1;
        }

        if (U16(tiff[2..], little) != 42)
        {
            return 1;
        }

        var ifd = U32(tiff[4..], little);
        if (ifd > (uint)(tiff.Length - 2))
        {
            return 1;
        }

        var entries = U16(tiff[(int)ifd..], little);
        for (var i = 0; i < entries; i++)
        {
            var at = (long)ifd + 2 + (12L * i);
            if (at + 12 > tiff.Length)
            {
                return 1;
            }

            var entry = tiff.Slice((int)at, 12);
            if (U16(entry, little) != OrientationTag)
            {
                continue;
            }

            // Type SHORT (3) with count 1 keeps its value in the first two bytes of the value field.
            var type = U16(entry[2..], little);
            var value = type switch
            {
                3 => U16(entry[8..], little),
                4 => (int)Math.Min(U32(entry[8..], little), 0xFFFF),
                _ => 1,
            };
            return value is >= 1 and <= 8 ? value : 1;
        }

        return 1;
    }

    private static ushort U16(ReadOnlySpan<byte> b, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static uint U32(ReadOnlySpan<byte> b, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
}
