namespace MiniGpt5.Imaging;

/// <summary>Container formats recognised from their first bytes. Only some can be decoded or encoded.</summary>
public enum ImageFormat
{
    /// <summary>Not recognised.</summary>
    Unknown = 0,

    /// <summary>PNG: decoded and encoded.</summary>
    Png,

    /// <summary>JPEG (JFIF/Exif): baseline and progressive Huffman decoded; baseline encoded.</summary>
    Jpeg,

    /// <summary>WebP: lossless (VP8L) encoded only; decoding is refused.</summary>
    WebP,

    /// <summary>GIF: refused.</summary>
    Gif,

    /// <summary>Windows bitmap: refused.</summary>
    Bmp,

    /// <summary>TIFF: refused.</summary>
    Tiff,

    /// <summary>HEIF/HEIC: refused.</summary>
    Heif,

    /// <summary>AVIF: refused.</summary>
    Avif,

    /// <summary>JPEG 2000: refused.</summary>
    Jpeg2000,

    /// <summary>JPEG XL: refused.</summary>
    JpegXl,

    /// <summary>Windows icon: refused.</summary>
    Ico,

    /// <summary>Photoshop document: refused.</summary>
    Psd,
}
