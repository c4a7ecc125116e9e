namespace MiniGpt5.Imaging.Processing;

/// <summary>
/// Geometry on <see cref="Image"/> with the semantics of the Python code MiniGPT-5 runs: Pillow's resize,
/// crop, transpose and ImageOps.exif_transpose; torchvision's Resize(int) and CenterCrop; LLaVA/MiniGPT-5's
/// expand2square. Every method returns a new image and leaves its input untouched.
/// </summary>
public static class ImageOps
{
    /// <summary>Pillow <c>Image.resize((width, height), filter)</c> with the default box and no reducing_gap.</summary>
    public static Image Resize(Image image, int width, int height, ResampleFilter filter = ResampleFilter.Bicubic)
    {
        ArgumentNullException.ThrowIfNull(image);
        return PillowResampler.Resize(image, width, height, filter);
    }

    /// <summary>
    /// torchvision <c>Resize(size)</c> with an int size on a PIL image: the shorter side becomes
    /// <paramref name="size"/>, the longer <c>int(size * long / short)</c> (truncated), then Pillow resize.
    /// </summary>
    public static Image ResizeShorterSide(Image image, int size, ResampleFilter filter = ResampleFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var (width, height) = ShorterSideSize(image.Width, image.Height, size);
        return width == image.Width && height == image.Height ? image.Clone() : Resize(image, width, height, filter);
    }

    /// <summary>The (width, height) torchvision's Resize(size) picks for an image of the given size.</summary>
    public static (int Width, int Height) ShorterSideSize(int width, int height, int size)
    {
        var (shorter, longer) = width <= height ? (width, height) : (height, width);
        var newLonger = (int)((double)((long)size * longer) / shorter);
        return width <= height ? (size, newLonger) : (newLonger, size);
    }

    /// <summary>
    /// Pillow <c>Image.crop((left, top, left + width, top + height))</c>: the box may extend past the image;
    /// those pixels are zero (black, transparent).
    /// </summary>
    public static Image Crop(Image image, int left, int top, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        var output = new Image(width, height, image.Format);
        var channels = image.Channels;
        var x0 = Math.Max(left, 0);
        var x1 = Math.Min(left + width, image.Width);
        if (x1 <= x0)
        {
            return output;
        }

        for (var y = Math.Max(top, 0); y < Math.Min(top + height, image.Height); y++)
        {
            image.Row(y)[(x0 * channels)..(x1 * channels)].CopyTo(output.Row(y - top)[((x0 - left) * channels)..]);
        }

        return output;
    }

    /// <summary>
    /// torchvision <c>CenterCrop((height, width))</c>: zero-pads first when the crop is larger than the image
    /// (left/top get the floor half), then crops at <c>round((size - crop) / 2)</c> with Python's round-half-even.
    /// </summary>
    public static Image CenterCrop(Image image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (width > image.Width || height > image.Height)
        {
            var padLeft = width > image.Width ? (width - image.Width) / 2 : 0;
            var padTop = height > image.Height ? (height - image.Height) / 2 : 0;
            var padRight = width > image.Width ? (width - image.Width + 1) / 2 : 0;
            var padBottom = height > image.Height ? (height - image.Height + 1) / 2 : 0;
            image = Crop(image, -padLeft, -padTop, image.Width + padLeft + padRight, image.Height + padTop + padBottom);
            if (image.Width == width && image.Height == height)
            {
                return image;
            }
        }

        var top = (int)Math.Round((image.Height - height) / 2.0, MidpointRounding.ToEven);
        var left = (int)Math.Round((image.Width - width) / 2.0, MidpointRounding.ToEven);
        return Crop(image, left, top, width, height);
    }

    /// <summary>
    /// MiniGPT-5's <c>expand2square(img, background)</c>: a square canvas of the longer side filled with
    /// <paramref name="background"/> (one value per channel of the image's format, e.g. 255,255,255 for white
    /// RGB), the image pasted centred with floor((long − short) / 2) before it. Square images come back as a copy.
    /// </summary>
    public static Image PadToSquare(Image image, ReadOnlySpan<byte> background)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (background.Length != image.Channels)
        {
            throw new ArgumentException($"Background needs {image.Channels} values for a {image.Format} image, got {background.Length}.", nameof(background));
        }

        if (image.Width == image.Height)
        {
            return image.Clone();
        }

        var side = Math.Max(image.Width, image.Height);
        var output = new Image(side, side, image.Format);
        for (var i = 0; i < output.Pixels.Length; i += image.Channels)
        {
            background.CopyTo(output.Pixels.AsSpan(i));
        }

        var left = image.Width < side ? (side - image.Width) / 2 : 0;
        var top = image.Height < side ? (side - image.Height) / 2 : 0;
        for (var y = 0; y < image.Height; y++)
        {
            image.Row(y).CopyTo(output.Row(y + top)[(left * image.Channels)..]);
        }

        return output;
    }

    /// <summary>Pads to a square with white (255 in every colour channel, alpha 255).</summary>
    public static Image PadToSquareWhite(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Span<byte> white = stackalloc byte[image.Channels];
        white.Fill(255);
        return PadToSquare(image, white);
    }

    /// <summary>Mirror left-right (Pillow <c>Transpose.FLIP_LEFT_RIGHT</c>; torchvision RandomHorizontalFlip).</summary>
    public static Image FlipHorizontal(Image image) => Remap(image, image.Width, image.Height, (x, y, w, h) => (w - 1 - x, y));

    /// <summary>Mirror top-bottom (Pillow <c>Transpose.FLIP_TOP_BOTTOM</c>).</summary>
    public static Image FlipVertical(Image image) => Remap(image, image.Width, image.Height, (x, y, w, h) => (x, h - 1 - y));

    /// <summary>Rotate 180°.</summary>
    public static Image Rotate180(Image image) => Remap(image, image.Width, image.Height, (x, y, w, h) => (w - 1 - x, h - 1 - y));

    /// <summary>Rotate 90° counter-clockwise (Pillow <c>Transpose.ROTATE_90</c>).</summary>
    public static Image Rotate90CounterClockwise(Image image) => Remap(image, image.Height, image.Width, (x, y, w, h) => (y, w - 1 - x));

    /// <summary>Rotate 90° clockwise (Pillow <c>Transpose.ROTATE_270</c>).</summary>
    public static Image Rotate90Clockwise(Image image) => Remap(image, image.Height, image.Width, (x, y, w, h) => (h - 1 - y, x));

    /// <summary>Swap axes: output (x, y) = input (y, x) (Pillow <c>Transpose.TRANSPOSE</c>).</summary>
    public static Image Transpose(Image image) => Remap(image, image.Height, image.Width, (x, y, w, h) => (y, x));

    /// <summary>Transpose across the other diagonal (Pillow <c>Transpose.TRANSVERSE</c>).</summary>
    public static Image Transverse(Image image) => Remap(image, image.Height, image.Width, (x, y, w, h) => (h - 1 - y, w - 1 - x));

    /// <summary>
    /// Pillow <c>ImageOps.exif_transpose</c>: undoes the EXIF orientation recorded at decode time (2 mirror,
    /// 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 CW, 7 transverse, 8 rotate 90 CCW) and returns an image
    /// whose <see cref="Image.ExifOrientation"/> is 1. Orientation 1 returns a copy.
    /// </summary>
    public static Image ApplyExifOrientation(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var output = image.ExifOrientation switch
        {
            2 => FlipHorizontal(image),
            3 => Rotate180(image),
            4 => FlipVertical(image),
            5 => Transpose(image),
            6 => Rotate90Clockwise(image),
            7 => Transverse(image),
            8 => Rotate90CounterClockwise(image),
            _ => image.Clone(),
        };
        return new Image(output.Width, output.Height, output.Format, output.Pixels);
    }

    /// <summary>
    /// Builds an output of the given size where input pixel (x, y) lands at <paramref name="map"/>(x, y, inW, inH).
    /// </summary>
    private static Image Remap(Image image, int width, int height, Func<int, int, int, int, (int X, int Y)> map)
    {
        ArgumentNullException.ThrowIfNull(image);
        var output = new Image(width, height, image.Format) { ExifOrientation = image.ExifOrientation };
        var channels = image.Channels;
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < image.Width; x++)
            {
                var (ox, oy) = map(x, y, image.Width, image.Height);
                row.Slice(x * channels, channels).CopyTo(output.Pixels.AsSpan((oy * output.Stride) + (ox * channels), channels));
            }
        }

        return output;
    }
}
