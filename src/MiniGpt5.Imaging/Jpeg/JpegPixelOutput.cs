namespace MiniGpt5.Imaging.Jpeg;

/// <summary>
/// Turns decoded coefficients into pixels the way libjpeg-turbo 2.1 does with its defaults (which Pillow uses):
/// islow IDCT per block, "fancy" triangular upsampling for 2×1, 1×2 and 2×2 chroma (jdsample.c, edges
/// replicated), plain replication for other integral factors, then the fixed-point YCbCr→RGB of jdcolor.c.
/// </summary>
internal static class JpegPixelOutput
{
    private const int ScaleBits = 16;
    private const int OneHalf = 1 << (ScaleBits - 1);

    private static readonly int[] CrToR = new int[256];
    private static readonly int[] CbToB = new int[256];
    private static readonly int[] CrToG = new int[256];
    private static readonly int[] CbToG = new int[256];

#pragma warning disable CA1810 // the tables are built once from libjpeg's formulas; a static constructor states that plainly
    static JpegPixelOutput()
#pragma warning restore CA1810
    {
        for (var i = 0; i < 256; i++)
        {
            var x = i - 128;
            CrToR[i] = ((Fix(1.40200) * x) + OneHalf) >> ScaleBits;
            CbToB[i] = ((Fix(1.77200) * x) + OneHalf) >> ScaleBits;
            CrToG[i] = -Fix(0.71414) * x;
            CbToG[i] = (-Fix(0.34414) * x) + OneHalf;
        }
    }

    public static Image Build(int width, int height, int maxH, int maxV, JpegComponent[] components, bool isRgb, CancellationToken cancellationToken)
    {
        var planes = new byte[components.Length][];
        var strides = new int[components.Length];
        for (var ci = 0; ci < components.Length; ci++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var c = components[ci];
            var stride = c.BlocksPerLine * 8;
            var plane = new byte[stride * c.BlocksPerColumn * 8];
            var quant = c.Quant ?? throw new ImageFormatException($"JPEG component {c.Id} never appears in a scan.");
            for (var by = 0; by < c.BlocksPerColumn; by++)
            {
                for (var bx = 0; bx < c.BlocksPerLine; bx++)
                {
                    JpegIdct.Transform(c.Block(by, bx), quant, plane.AsSpan((by * 8 * stride) + (bx * 8)), stride);
                }
            }

            planes[ci] = plane;
            strides[ci] = stride;
        }

        if (components.Length == 1)
        {
            // A single-component frame is never subsampled relative to itself: rows are copied out directly.
            var gray = new Image(width, height, PixelFormat.Gray);
            for (var y = 0; y < height; y++)
            {
                planes[0].AsSpan(y * strides[0], width).CopyTo(gray.Row(y));
            }

            return gray;
        }

        var image = new Image(width, height, PixelFormat.Rgb);
        var rows = new byte[3][];
        for (var ci = 0; ci < 3; ci++)
        {
            rows[ci] = new byte[(components[ci].DownsampledWidth * (maxH / components[ci].H)) + 8];
        }

        for (var y = 0; y < height; y++)
        {
            if ((y & 63) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            for (var ci = 0; ci < 3; ci++)
            {
                UpsampleRow(components[ci], planes[ci], strides[ci], maxH / components[ci].H, maxV / components[ci].V, y, rows[ci]);
            }

            var output = image.Row(y);
            if (isRgb)
            {
                for (var x = 0; x < width; x++)
                {
                    output[3 * x] = rows[0][x];
                    output[(3 * x) + 1] = rows[1][x];
                    output[(3 * x) + 2] = rows[2][x];
                }

                continue;
            }

            for (var x = 0; x < width; x++)
            {
                int luma = rows[0][x], cb = rows[1][x], cr = rows[2][x];
                output[3 * x] = Clamp(luma + CrToR[cr]);
                output[(3 * x) + 1] = Clamp(luma + ((CbToG[cb] + CrToG[cr]) >> ScaleBits));
                output[(3 * x) + 2] = Clamp(luma + CbToB[cb]);
            }
        }

        return image;
    }

    /// <summary>Fills <paramref name="output"/> with full-resolution row <paramref name="y"/> of one component.</summary>
    private static void UpsampleRow(JpegComponent c, byte[] plane, int stride, int hExpand, int vExpand, int y, byte[] output)
    {
        var width = c.DownsampledWidth;
        var lastRow = c.DownsampledHeight - 1;
        var inRow = y / vExpand;
        var near = plane.AsSpan(Math.Min(inRow, lastRow) * stride, width);

        if (vExpand == 2 && (hExpand == 1 || (hExpand == 2 && width > 2)))
        {
            // Fancy vertical: 3/4 of the nearer chroma row plus 1/4 of the next nearer (above for the top
            // output row of the pair, below for the bottom), rows past the edges replicated.
            var below = (y & 1) == 1;
            var farIndex = Math.Clamp(below ? inRow + 1 : inRow - 1, 0, lastRow);
            var far = plane.AsSpan(farIndex * stride, width);
            if (hExpand == 1)
            {
                var bias = below ? 2 : 1;
                for (var i = 0; i < width; i++)
                {
                    output[i] = (byte)(((near[i] * 3) + far[i] + bias) >> 2);
                }

                return;
            }

            // h2v2: column sums, then the same 3:1 weighting horizontally (rounding 8 and 7 as jdsample.c).
            var last = (near[0] * 3) + far[0];
            var current = last;
            for (var i = 0; i < width; i++)
            {
                var next = i + 1 < width ? (near[i + 1] * 3) + far[i + 1] : current;
                output[2 * i] = (byte)(((current * 3) + last + 8) >> 4);
                output[(2 * i) + 1] = (byte)(((current * 3) + next + 7) >> 4);
                last = current;
                current = next;
            }

            return;
        }

        if (hExpand == 2 && vExpand == 1 && width > 2)
        {
            // Fancy horizontal (h2v1): 3/4 nearer + 1/4 further sample, edges replicated.
            for (var i = 0; i < width; i++)
            {
                var left = near[Math.Max(i - 1, 0)];
                var right = near[Math.Min(i + 1, width - 1)];
                var v3 = near[i] * 3;
                output[2 * i] = (byte)((v3 + left + 1) >> 2);
                output[(2 * i) + 1] = (byte)((v3 + right + 2) >> 2);
            }

            return;
        }

        // Full size, or plain replication for other integral factors (libjpeg's int_upsample, and the
        // non-fancy h2v1/h2v2 paths it takes when the component is at most 2 samples wide).
        for (var i = 0; i < width; i++)
        {
            output.AsSpan(i * hExpand, hExpand).Fill(near[i]);
        }
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    private static int Fix(double x) => (int)((x * (1 << ScaleBits)) + 0.5);
}
