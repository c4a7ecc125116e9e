namespace MiniGpt5.Imaging.Jpeg;

/// <summary>Settings for <see cref="JpegEncoder"/>; defaults equal Pillow's <c>save(f, "JPEG")</c>.</summary>
public sealed record JpegEncoderOptions
{
    /// <summary>Quality 75, 4:2:0, as Pillow and libjpeg default to.</summary>
    public static JpegEncoderOptions Default { get; } = new();

    /// <summary>1..100; scales the Annex K tables exactly like libjpeg's jpeg_set_quality (baseline-limited to 255).</summary>
    public int Quality { get; init; } = 75;

    /// <summary>Chroma subsampling for colour images (ignored for gray).</summary>
    public JpegSubsampling Subsampling { get; init; } = JpegSubsampling.Chroma420;
}

/// <summary>Chroma subsampling of a colour JPEG (Pillow's <c>subsampling=</c> 0, 1, 2).</summary>
public enum JpegSubsampling
{
    /// <summary>4:4:4, full-resolution chroma (Pillow subsampling=0).</summary>
    Chroma444 = 0,

    /// <summary>4:2:2, chroma halved horizontally (Pillow subsampling=1).</summary>
    Chroma422 = 1,

    /// <summary>4:2:0, chroma halved both ways (Pillow subsampling=2, the default).</summary>
    Chroma420 = 2,
}
