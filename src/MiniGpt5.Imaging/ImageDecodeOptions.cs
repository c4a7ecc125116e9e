namespace MiniGpt5.Imaging;

/// <summary>Limits and choices for decoding.</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>64 megapixels: about 256 MB as RGBA; larger images are refused before anything is allocated.</summary>
    public const long DefaultMaxPixels = 64L * 1000 * 1000;

    /// <summary>Default options.</summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>
    /// The largest width × height accepted. Checked against the header before any pixel buffer is allocated,
    /// so a 100000×100000 header costs nothing.
    /// </summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;
}
