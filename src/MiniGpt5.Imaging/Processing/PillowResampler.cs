namespace MiniGpt5.Imaging.Processing;

/// <summary>
/// Pillow's resize (libImaging/Resample.c, ImagingResample; Geometry.c ImagingScaleAffine for NEAREST),
/// reproduced operation for operation: separable passes, horizontal first and only over the rows the vertical
/// pass reads; filter support widened by the downscale factor (antialiasing); double-precision weights
/// normalised to sum 1 then rounded to 22-bit fixed point; each pass rounds and clamps to 8 bits. RGBA and LA
/// are resized premultiplied, as Pillow converts them to RGBa/La first. Output equals Pillow's exactly.
/// </summary>
internal static class PillowResampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    public static Image Resize(Image image, int width, int height, ResampleFilter filter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (width == image.Width && height == image.Height)
        {
            return image.Clone();
        }

        if (filter == ResampleFilter.Nearest)
        {
            return ScaleNearest(image, width, height);
        }

        if (image.Format.HasAlpha())
        {
            var premultiplied = Premultiply(image);
            var resized = Resample(premultiplied, width, height, filter);
            return Unpremultiply(resized);
        }

        return Resample(image, width, height, filter);
    }

    private static Image Resample(Image image, int width, int height, ResampleFilter filter)
    {
        var (support, function) = Filter(filter);
        var needHorizontal = width != image.Width;
        var needVertical = height != image.Height;
        var (ksizeH, boundsH, kkH) = PrecomputeCoefficients(image.Width, 0, image.Width, width, support, function);
        var (ksizeV, boundsV, kkV) = PrecomputeCoefficients(image.Height, 0, image.Height, height, support, function);

        // Only the source rows the vertical pass will read go through the horizontal pass.
        var firstRow = boundsV[0];
        var lastRow = boundsV[(height * 2) - 2] + boundsV[(height * 2) - 1];
        var current = image;
        if (needHorizontal)
        {
            for (var i = 0; i < height; i++)
            {
                boundsV[i * 2] -= firstRow;
            }

            var temp = new Image(width, lastRow - firstRow, image.Format);
            Horizontal(temp, image, firstRow, ksizeH, boundsH, kkH);
            current = temp;
        }

        if (needVertical)
        {
            var output = new Image(current.Width, height, image.Format);
            Vertical(output, current, ksizeV, boundsV, kkV);
            return output;
        }

        return ReferenceEquals(current, image) ? image.Clone() : current;
    }

    /// <summary>precompute_coeffs + normalize_coeffs_8bpc: per output sample, its first input index, tap count and 22-bit weights.</summary>
    private static (int Ksize, int[] Bounds, int[] Weights) PrecomputeCoefficients(
        int inSize, float in0, float in1, int outSize, double filterSupport, Func<double, double> filter)
    {
        var scale = (double)(in1 - in0) / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterSupport * filterScale;
        var ksize = ((int)Math.Ceiling(support) * 2) + 1;
        var bounds = new int[outSize * 2];
        var weights = new int[outSize * ksize];
        var k = new double[ksize];
        for (var xx = 0; xx < outSize; xx++)
        {
            var center = in0 + ((xx + 0.5) * scale);
            var ww = 0.0;
            var ss = 1.0 / filterScale;
            var xmin = Math.Max((int)(center - support + 0.5), 0);
            var xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            Array.Clear(k);
            for (var x = 0; x < xmax; x++)
            {
                var w = filter((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }

            for (var x = 0; x < xmax; x++)
            {
                if (ww != 0.0)
                {
                    k[x] /= ww;
                }
            }

            for (var x = 0; x < ksize; x++)
            {
                weights[(xx * ksize) + x] = k[x] < 0
                    ? (int)(-0.5 + (k[x] * (1 << PrecisionBits)))
                    : (int)(0.5 + (k[x] * (1 << PrecisionBits)));
            }

            bounds[xx * 2] = xmin;
            bounds[(xx * 2) + 1] = xmax;
        }

        return (ksize, bounds, weights);
    }

    private static void Horizontal(Image output, Image input, int rowOffset, int ksize, int[] bounds, int[] weights)
    {
        var channels = input.Channels;
        var src = input.Pixels;
        var dst = output.Pixels;
        Span<int> sums = stackalloc int[4];
        for (var yy = 0; yy < output.Height; yy++)
        {
            var inRow = (yy + rowOffset) * input.Stride;
            var outRow = yy * output.Stride;
            for (var xx = 0; xx < output.Width; xx++)
            {
                int xmin = bounds[xx * 2], xmax = bounds[(xx * 2) + 1];
                var kOffset = xx * ksize;
                sums.Fill(1 << (PrecisionBits - 1));
                for (var x = 0; x < xmax; x++)
                {
                    var w = weights[kOffset + x];
                    var p = inRow + ((x + xmin) * channels);
                    for (var c = 0; c < channels; c++)
                    {
                        sums[c] += src[p + c] * w;
                    }
                }

                for (var c = 0; c < channels; c++)
                {
                    dst[outRow + (xx * channels) + c] = Clip8(sums[c]);
                }
            }
        }
    }

    private static void Vertical(Image output, Image input, int ksize, int[] bounds, int[] weights)
    {
        var stride = input.Stride;
        var src = input.Pixels;
        var dst = output.Pixels;
        var sums = new int[stride];
        for (var yy = 0; yy < output.Height; yy++)
        {
            int ymin = bounds[yy * 2], ymax = bounds[(yy * 2) + 1];
            var kOffset = yy * ksize;
            Array.Fill(sums, 1 << (PrecisionBits - 1));
            for (var y = 0; y < ymax; y++)
            {
                var w = weights[kOffset + y];
                var row = (y + ymin) * stride;
                for (var i = 0; i < stride; i++)
                {
                    sums[i] += src[row + i] * w;
                }
            }

            var outRow = yy * stride;
            for (var i = 0; i < stride; i++)
            {
                dst[outRow + i] = Clip8(sums[i]);
            }
        }
    }

    private static byte Clip8(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    /// <summary>ImagingScaleAffine: source index floor((x + 0.5) × scale), accumulated in double as Pillow does.</summary>
    private static Image ScaleNearest(Image image, int width, int height)
    {
        var output = new Image(width, height, image.Format);
        var channels = image.Channels;
        var a0 = (double)(float)image.Width / width;
        var a4 = (double)(float)image.Height / height;
        var xIndex = new int[width];
        int xmin = width, xmax = 0;
        var xo = a0 * 0.5;
        for (var x = 0; x < width; x++)
        {
            var xin = xo < 0 ? -1 : (int)xo;
            if (xin >= 0 && xin < image.Width)
            {
                xmax = x + 1;
                xmin = Math.Min(xmin, x);
                xIndex[x] = xin;
            }

            xo += a0;
        }

        var yo = a4 * 0.5;
        for (var y = 0; y < height; y++)
        {
            var yi = yo < 0 ? -1 : (int)yo;
            if (yi >= 0 && yi < image.Height)
            {
                var src = image.Row(yi);
                var dst = output.Row(y);
                for (var x = xmin; x < xmax; x++)
                {
                    src.Slice(xIndex[x] * channels, channels).CopyTo(dst.Slice(x * channels, channels));
                }
            }

            yo += a4;
        }

        return output;
    }

    /// <summary>RGBA→RGBa / LA→La: colour × alpha / 255 with Pillow's MULDIV255 rounding.</summary>
    private static Image Premultiply(Image image)
    {
        var output = image.Clone();
        var p = output.Pixels;
        var channels = image.Channels;
        for (var i = 0; i < p.Length; i += channels)
        {
            uint alpha = p[i + channels - 1];
            for (var c = 0; c < channels - 1; c++)
            {
                var tmp = (p[i + c] * alpha) + 128;
                p[i + c] = (byte)(((tmp >> 8) + tmp) >> 8);
            }
        }

        return output;
    }

    /// <summary>RGBa→RGBA / La→LA: colour × 255 / alpha clamped, left alone where alpha is 0 or 255.</summary>
    private static Image Unpremultiply(Image image)
    {
        var p = image.Pixels;
        var channels = image.Channels;
        for (var i = 0; i < p.Length; i += channels)
        {
            int alpha = p[i + channels - 1];
            if (alpha is 0 or 255)
            {
                continue;
            }

            for (var c = 0; c < channels - 1; c++)
            {
                p[i + c] = (byte)Math.Min(255 * p[i + c] / alpha, 255);
            }
        }

        return image;
    }

    private static (double Support, Func<double, double> Function) Filter(ResampleFilter filter) => filter switch
    {
        ResampleFilter.Box => (0.5, static x => x > -0.5 && x <= 0.5 ? 1.0 : 0.0),
        ResampleFilter.Bilinear => (1.0, static x =>
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }),
        ResampleFilter.Hamming => (1.0, static x =>
        {
            x = Math.Abs(x);
            if (x == 0.0)
            {
                return 1.0;
            }

            if (x >= 1.0)
            {
                return 0.0;
            }

            x *= Math.PI;
            return Math.Sin(x) / x * (0.54f + (0.46f * Math.Cos(x)));
        }),
        ResampleFilter.Bicubic => (2.0, static x =>
        {
            const double a = -0.5;
            x = Math.Abs(x);
            if (x < 1.0)
            {
                return ((((a + 2.0) * x) - (a + 3.0)) * x * x) + 1;
            }

            return x < 2.0 ? ((((x - 5) * x) + 8) * x - 4) * a : 0.0;
        }),
        ResampleFilter.Lanczos => (3.0, static x => x >= -3.0 && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0),
        _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown resampling filter."),
    };

    private static double Sinc(double x)
    {
        if (x == 0.0)
        {
            return 1.0;
        }

        x *= Math.PI;
        return Math.Sin(x) / x;
    }
}
