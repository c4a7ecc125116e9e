using MiniGpt5.Imaging;
using MiniGpt5.Imaging.Jpeg;
using MiniGpt5.Imaging.Processing;
using MiniGpt5.Training.NanoWorld;

namespace MiniGpt5.Training.Tests.NanoWorld;

/// <summary>
/// What a small, under-trained diffusion model does to a picture, imitated on clean renders so the judge can be
/// tested against it: blur, per-pixel noise, colour casts and desaturation, wobbly outlines, displaced and
/// rescaled shapes, lost resolution and JPEG artefacts. Deterministic from the <see cref="NanoRandom"/> given.
/// </summary>
internal static class ImageDegradations
{
    /// <summary>Separable Gaussian blur, edges clamped.</summary>
    public static Image Blur(Image image, double sigma)
    {
        var radius = (int)Math.Ceiling(3 * sigma);
        var kernel = new double[(2 * radius) + 1];
        for (var i = -radius; i <= radius; i++)
        {
            kernel[i + radius] = Math.Exp(-(i * i) / (2 * sigma * sigma));
        }

        var sum = kernel.Sum();
        for (var i = 0; i < kernel.Length; i++)
        {
            kernel[i] /= sum;
        }

        var (w, h) = (image.Width, image.Height);
        var src = image.Pixels;
        var tmp = new double[src.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    double acc = 0;
                    for (var k = -radius; k <= radius; k++)
                    {
                        var xx = Math.Clamp(x + k, 0, w - 1);
                        acc += kernel[k + radius] * src[(((y * w) + xx) * 3) + c];
                    }

                    tmp[(((y * w) + x) * 3) + c] = acc;
                }
            }
        }

        var output = new Image(w, h, PixelFormat.Rgb);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    double acc = 0;
                    for (var k = -radius; k <= radius; k++)
                    {
                        var yy = Math.Clamp(y + k, 0, h - 1);
                        acc += kernel[k + radius] * tmp[(((yy * w) + x) * 3) + c];
                    }

                    output.Pixels[(((y * w) + x) * 3) + c] = ToByte(acc);
                }
            }
        }

        return output;
    }

    /// <summary>Independent Gaussian noise of standard deviation <paramref name="sigma"/> (8-bit levels) on every sample.</summary>
    public static Image Noise(Image image, double sigma, NanoRandom random)
    {
        var output = image.Clone();
        for (var i = 0; i < output.Pixels.Length; i++)
        {
            output.Pixels[i] = ToByte(output.Pixels[i] + (sigma * Gaussian(random)));
        }

        return output;
    }

    /// <summary>Adds a per-channel offset and scales saturation about each pixel's grey level.</summary>
    public static Image ColorShift(Image image, double dr, double dg, double db, double saturation = 1)
    {
        var output = image.Clone();
        var p = output.Pixels;
        for (var i = 0; i < p.Length; i += 3)
        {
            var grey = (p[i] + p[i + 1] + p[i + 2]) / 3.0;
            p[i] = ToByte(grey + ((p[i] - grey) * saturation) + dr);
            p[i + 1] = ToByte(grey + ((p[i + 1] - grey) * saturation) + dg);
            p[i + 2] = ToByte(grey + ((p[i + 2] - grey) * saturation) + db);
        }

        return output;
    }

    /// <summary>
    /// A random colour cast: each channel offset uniformly in ±<paramref name="offset"/> levels, saturation
    /// scaled by a factor in [1 − <paramref name="saturation"/>, 1].
    /// </summary>
    public static Image RandomColorShift(Image image, double offset, double saturation, NanoRandom random) =>
        ColorShift(
            image,
            offset * ((2 * random.NextDouble()) - 1),
            offset * ((2 * random.NextDouble()) - 1),
            offset * ((2 * random.NextDouble()) - 1),
            1 - (saturation * random.NextDouble()));

    /// <summary>
    /// Geometric distortion: a random similarity transform (scale in 1 ± <paramref name="scale"/>, rotation in
    /// ± <paramref name="degrees"/>, shift in ± <paramref name="shift"/> pixels) about the centre, plus a smooth
    /// sinusoidal wobble of amplitude <paramref name="wobble"/> pixels, resampled bilinearly.
    /// </summary>
    public static Image Distort(Image image, NanoRandom random, double scale, double degrees, double shift, double wobble)
    {
        var (w, h) = (image.Width, image.Height);
        var s = 1 + (scale * ((2 * random.NextDouble()) - 1));
        var angle = degrees * ((2 * random.NextDouble()) - 1) * Math.PI / 180;
        var tx = shift * ((2 * random.NextDouble()) - 1);
        var ty = shift * ((2 * random.NextDouble()) - 1);
        var phases = Enumerable.Range(0, 4).Select(_ => 2 * Math.PI * random.NextDouble()).ToArray();
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        var (cx, cy) = (w / 2.0, h / 2.0);
        var output = new Image(w, h, PixelFormat.Rgb);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                // Inverse map: where in the source does this output pixel come from?
                var ox = x + 0.5 - cx - tx;
                var oy = y + 0.5 - cy - ty;
                var sx = ((cos * ox) + (sin * oy)) / s;
                var sy = ((-sin * ox) + (cos * oy)) / s;
                sx += wobble * Math.Sin((2 * Math.PI * y / 23.0) + phases[0]) * Math.Cos((2 * Math.PI * x / 31.0) + phases[1]);
                sy += wobble * Math.Sin((2 * Math.PI * x / 19.0) + phases[2]) * Math.Cos((2 * Math.PI * y / 29.0) + phases[3]);
                Sample(image, sx + cx - 0.5, sy + cy - 0.5, output.Pixels.AsSpan((((y * w) + x) * 3), 3));
            }
        }

        return output;
    }

    /// <summary>Shrinks to <paramref name="size"/> pixels and back (bilinear both ways): lost detail.</summary>
    public static Image LowResolution(Image image, int size) =>
        ImageOps.Resize(ImageOps.Resize(image, size, size, ResampleFilter.Bilinear), image.Width, image.Height, ResampleFilter.Bilinear);

    /// <summary>A JPEG round trip at <paramref name="quality"/> with 4:2:0 chroma.</summary>
    public static Image Jpeg(Image image, int quality) =>
        ImageCodec.Decode(JpegEncoder.Encode(image, new JpegEncoderOptions { Quality = quality }));

    /// <summary>The combination the judge's headline robustness bar is measured on (see the tests).</summary>
    public static Image GeneratorLike(Image image, NanoRandom random)
    {
        var degraded = Distort(image, random, scale: 0.08, degrees: 6, shift: 2, wobble: 0.8);
        degraded = Blur(degraded, 0.5 + (0.7 * random.NextDouble()));
        degraded = RandomColorShift(degraded, offset: 12, saturation: 0.2, random);
        return Noise(degraded, 6, random);
    }

    private static void Sample(Image image, double x, double y, Span<byte> destination)
    {
        var (w, h) = (image.Width, image.Height);
        x = Math.Clamp(x, 0, w - 1);
        y = Math.Clamp(y, 0, h - 1);
        var x0 = (int)Math.Floor(x);
        var y0 = (int)Math.Floor(y);
        var x1 = Math.Min(x0 + 1, w - 1);
        var y1 = Math.Min(y0 + 1, h - 1);
        var fx = x - x0;
        var fy = y - y0;
        for (var c = 0; c < 3; c++)
        {
            double At(int px, int py) => image.Pixels[(((py * w) + px) * 3) + c];
            var top = At(x0, y0) + ((At(x1, y0) - At(x0, y0)) * fx);
            var bottom = At(x0, y1) + ((At(x1, y1) - At(x0, y1)) * fx);
            destination[c] = ToByte(top + ((bottom - top) * fy));
        }
    }

    private static double Gaussian(NanoRandom random)
    {
        // Box–Muller; 1 − u keeps the logarithm finite.
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    private static byte ToByte(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);
}
