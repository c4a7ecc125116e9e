namespace MiniGpt5.Imaging;

/// <summary>
/// An 8-bit image: <see cref="Width"/> × <see cref="Height"/> pixels of <see cref="Format"/>, interleaved row by
/// row with no padding (<see cref="Stride"/> = width × channels) in <see cref="Pixels"/>.
/// </summary>
public sealed class Image
{
    /// <summary>A new image with every byte zero (black, and transparent where there is alpha).</summary>
    public Image(int width, int height, PixelFormat format)
        : this(width, height, format, new byte[CheckedLength(width, height, format)])
    {
    }

    /// <summary>Wraps <paramref name="pixels"/> (not copied), which must hold exactly width × height × channels bytes.</summary>
    public Image(int width, int height, PixelFormat format, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var length = CheckedLength(width, height, format);
        if (pixels.Length != length)
        {
            throw new ArgumentException(
                $"A {width}x{height} {format} image needs {length} bytes, but the buffer has {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Format = format;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Channel layout.</summary>
    public PixelFormat Format { get; }

    /// <summary>Bytes per pixel.</summary>
    public int Channels => (int)Format;

    /// <summary>Bytes per row.</summary>
    public int Stride => Width * Channels;

    /// <summary>Interleaved 8-bit samples, row-major, top row first.</summary>
    public byte[] Pixels { get; }

    /// <summary>
    /// The EXIF orientation tag read from the file (1 = as stored, 2..8 = mirrored and/or rotated), or 1 when
    /// absent. Decoding never applies it (Pillow does not either); call <see cref="Processing.ImageOps.ApplyExifOrientation"/>.
    /// </summary>
    public int ExifOrientation { get; init; } = 1;

    /// <summary>One row of samples.</summary>
    public Span<byte> Row(int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        return Pixels.AsSpan(y * Stride, Stride);
    }

    /// <summary>A deep copy.</summary>
    public Image Clone() => new(Width, Height, Format, (byte[])Pixels.Clone()) { ExifOrientation = ExifOrientation };

    /// <summary>
    /// The image in another channel layout, exactly as Pillow's <c>Image.convert(mode)</c> computes it:
    /// RGB→L uses ITU-R 601-2 luma <c>(19595 R + 38470 G + 7471 B + 0x8000) &gt;&gt; 16</c>; dropping alpha does not
    /// composite; adding alpha makes it 255. Returns this image when the format already matches.
    /// </summary>
    public Image ConvertTo(PixelFormat format)
    {
        if (format == Format)
        {
            return this;
        }

        var output = new Image(Width, Height, format) { ExifOrientation = ExifOrientation };
        PixelConverter.Convert(Pixels, Format, output.Pixels, format);
        return output;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Width}x{Height} {Format}";

    internal static int CheckedLength(int width, int height, PixelFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var length = (long)width * height * format.ChannelCount();
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(width), $"A {width}x{height} {format} image needs {length} bytes, more than one array can hold.");
        }

        return (int)length;
    }
}
