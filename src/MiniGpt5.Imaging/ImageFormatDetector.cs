namespace MiniGpt5.Imaging;

/// <summary>Names the container format of a file from its magic bytes, so refusals can say what was found.</summary>
public static class ImageFormatDetector
{
    /// <summary>The format whose signature starts <paramref name="data"/>, or <see cref="ImageFormat.Unknown"/>.</summary>
    public static ImageFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(PngSignature))
        {
            return ImageFormat.Png;
        }

        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return ImageFormat.Gif;
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8) || data.StartsWith("II+\0"u8) || data.StartsWith("MM\0+"u8))
        {
            return ImageFormat.Tiff;
        }

        if (data.Length >= 14 && data.StartsWith("BM"u8))
        {
            return ImageFormat.Bmp;
        }

        if (data.Length >= 12 && data.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            var brand = data.Slice(8, 4);
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
            {
                return ImageFormat.Avif;
            }

            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8)
                || brand.SequenceEqual("msf1"u8) || brand.SequenceEqual("hevc"u8) || brand.SequenceEqual("heim"u8))
            {
                return ImageFormat.Heif;
            }
        }

        if (data.StartsWith(Jp2Signature) || data.StartsWith(J2kCodestream))
        {
            return ImageFormat.Jpeg2000;
        }

        if (data.StartsWith(JxlCodestream) || data.StartsWith(JxlContainer))
        {
            return ImageFormat.JpegXl;
        }

        if (data.Length >= 6 && data[0] == 0 && data[1] == 0 && (data[2] == 1 || data[2] == 2) && data[3] == 0 && data[4] != 0)
        {
            return ImageFormat.Ico;
        }

        if (data.StartsWith("8BPS"u8))
        {
            return ImageFormat.Psd;
        }

        return ImageFormat.Unknown;
    }

    internal static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ReadOnlySpan<byte> Jp2Signature => [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];

    private static ReadOnlySpan<byte> J2kCodestream => [0xFF, 0x4F, 0xFF, 0x51];

    private static ReadOnlySpan<byte> JxlCodestream => [0xFF, 0x0A];

    private static ReadOnlySpan<byte> JxlContainer => [0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A];
}
