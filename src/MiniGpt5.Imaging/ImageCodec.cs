using MiniGpt5.Imaging.Jpeg;
using MiniGpt5.Imaging.Png;
using MiniGpt5.Imaging.WebP;

namespace MiniGpt5.Imaging;

/// <summary>
/// Entry points for reading and writing image files. Decoding sniffs the format from the magic bytes (never
/// from the file name), decodes PNG and JPEG, and refuses everything else with an
/// <see cref="ImageFormatException"/> that names the format it found and the file.
/// </summary>
public static class ImageCodec
{
    /// <summary>Decodes a PNG or JPEG held in memory. <paramref name="sourceName"/> labels errors.</summary>
    public static Image Decode(byte[] data, ImageDecodeOptions? options = null, string? sourceName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= ImageDecodeOptions.Default;
        var format = ImageFormatDetector.Detect(data);
        try
        {
            return format switch
            {
                ImageFormat.Png => PngDecoder.Decode(data, options),
                ImageFormat.Jpeg => JpegDecoder.Decode(data, options, cancellationToken),
                ImageFormat.Unknown => throw new ImageFormatException(data.Length == 0
                    ? "the file is empty."
                    : $"unrecognised image format (first bytes {Convert.ToHexString(data.AsSpan(0, Math.Min(8, data.Length)))}); PNG and JPEG are supported."),
                ImageFormat.WebP => throw new ImageFormatException("WebP decoding is not supported (WebP can be written, not read); PNG and JPEG are supported."),
                _ => throw new ImageFormatException($"{format} images are not supported; PNG and JPEG are."),
            };
        }
        catch (ImageFormatException e)
        {
            throw e.WithSource(sourceName, format);
        }
    }

    /// <summary>Reads and decodes the file at <paramref name="path"/>.</summary>
    public static async Task<Image> LoadAsync(string path, ImageDecodeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var data = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return Decode(data, options, path, cancellationToken);
    }

    /// <summary>Reads a whole stream (up to 2 GiB) and decodes it. <paramref name="sourceName"/> labels errors.</summary>
    public static async Task<Image> LoadAsync(Stream stream, ImageDecodeOptions? options = null, string? sourceName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Decode(buffer.ToArray(), options, sourceName, cancellationToken);
    }

    /// <summary>Encodes <paramref name="image"/> in <paramref name="format"/> (PNG, JPEG or lossless WebP) with default settings.</summary>
    public static byte[] Encode(Image image, ImageFormat format) => format switch
    {
        ImageFormat.Png => PngEncoder.Encode(image),
        ImageFormat.Jpeg => JpegEncoder.Encode(image),
        ImageFormat.WebP => WebPLosslessEncoder.Encode(image),
        _ => throw new ArgumentException($"Cannot encode {format}; PNG, JPEG and WebP (lossless) can be written.", nameof(format)),
    };

    /// <summary>
    /// Encodes and writes <paramref name="image"/>; the format comes from the extension (.png, .jpg/.jpeg,
    /// .webp). The file is written to a temporary name first and moved into place, so a failure never leaves a
    /// half-written image under the final name.
    /// </summary>
    public static async Task SaveAsync(Image image, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var extension = Path.GetExtension(path).ToUpperInvariant();
        var format = extension switch
        {
            ".PNG" => ImageFormat.Png,
            ".JPG" or ".JPEG" => ImageFormat.Jpeg,
            ".WEBP" => ImageFormat.WebP,
            _ => throw new ArgumentException($"Cannot tell the image format from '{path}'; use .png, .jpg, .jpeg or .webp.", nameof(path)),
        };
        var bytes = Encode(image, format);
        var temporary = path + ".tmp-" + Environment.ProcessId;
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    internal static void CheckPixelLimit(uint width, uint height, ImageDecodeOptions options)
    {
        var pixels = (ulong)width * height;
        if (pixels > (ulong)options.MaxPixels)
        {
            throw new ImageFormatException(
                $"image declares {width}x{height} = {pixels} pixels, over the limit of {options.MaxPixels} (ImageDecodeOptions.MaxPixels).");
        }
    }
}
