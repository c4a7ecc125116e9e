namespace MiniGpt5.Imaging;

/// <summary>Pillow's <c>convert()</c> between L, LA, RGB and RGBA (libImaging/Convert.c), pixel for pixel.</summary>
internal static class PixelConverter
{
    /// <summary>ITU-R 601-2 luma with Pillow's 16-bit fixed point and rounding (L24 in Convert.c).</summary>
    public static byte Luma(byte r, byte g, byte b) => (byte)(((r * 19595) + (g * 38470) + (b * 7471) + 0x8000) >> 16);

    public static void Convert(ReadOnlySpan<byte> source, PixelFormat from, Span<byte> destination, PixelFormat to)
    {
        int inC = (int)from, outC = (int)to;
        var count = source.Length / inC;
        for (int i = 0, s = 0, d = 0; i < count; i++, s += inC, d += outC)
        {
            // Gray value and alpha of the source pixel; colour only when the source has it.
            byte r, g, b, a;
            switch (from)
            {
                case PixelFormat.Gray:
                    r = g = b = source[s];
                    a = 255;
                    break;
                case PixelFormat.GrayAlpha:
                    r = g = b = source[s];
                    a = source[s + 1];
                    break;
                case PixelFormat.Rgb:
                    r = source[s];
                    g = source[s + 1];
                    b = source[s + 2];
                    a = 255;
                    break;
                default:
                    r = source[s];
                    g = source[s + 1];
                    b = source[s + 2];
                    a = source[s + 3];
                    break;
            }

            switch (to)
            {
                case PixelFormat.Gray:
                    destination[d] = from <= PixelFormat.GrayAlpha ? r : Luma(r, g, b);
                    break;
                case PixelFormat.GrayAlpha:
                    destination[d] = from <= PixelFormat.GrayAlpha ? r : Luma(r, g, b);
                    destination[d + 1] = a;
                    break;
                case PixelFormat.Rgb:
                    destination[d] = r;
                    destination[d + 1] = g;
                    destination[d + 2] = b;
                    break;
                default:
                    destination[d] = r;
                    destination[d + 1] = g;
                    destination[d + 2] = b;
                    destination[d + 3] = a;
                    break;
            }
        }
    }
}
