namespace MiniGpt5.Imaging;

/// <summary>
/// Channel layout of an 8-bit interleaved <see cref="Image"/>. The numeric value is the channel count,
/// so <c>(int)format</c> is the number of bytes per pixel. Names follow Pillow's modes L, LA, RGB, RGBA.
/// </summary>
public enum PixelFormat
{
    /// <summary>One luminance channel (Pillow "L").</summary>
    Gray = 1,

    /// <summary>Luminance then alpha (Pillow "LA").</summary>
    GrayAlpha = 2,

    /// <summary>Red, green, blue (Pillow "RGB").</summary>
    Rgb = 3,

    /// <summary>Red, green, blue, alpha, not premultiplied (Pillow "RGBA").</summary>
    Rgba = 4,
}

/// <summary>Helpers on <see cref="PixelFormat"/>.</summary>
public static class PixelFormatExtensions
{
    /// <summary>Bytes per pixel, which is also the channel count.</summary>
    public static int ChannelCount(this PixelFormat format) => format switch
    {
        PixelFormat.Gray => 1,
        PixelFormat.GrayAlpha => 2,
        PixelFormat.Rgb => 3,
        PixelFormat.Rgba => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format."),
    };

    /// <summary>True for the two layouts that carry an alpha channel.</summary>
    public static bool HasAlpha(this PixelFormat format) => format is PixelFormat.GrayAlpha or PixelFormat.Rgba;

    /// <summary>The Pillow mode name (L, LA, RGB, RGBA), for messages.</summary>
    public static string PillowMode(this PixelFormat format) => format switch
    {
        PixelFormat.Gray => "L",
        PixelFormat.GrayAlpha => "LA",
        PixelFormat.Rgb => "RGB",
        PixelFormat.Rgba => "RGBA",
        _ => format.ToString(),
    };
}
