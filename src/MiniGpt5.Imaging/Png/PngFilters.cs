namespace MiniGpt5.Imaging.Png;

/// <summary>The five PNG scanline filters (spec §9.2), forward for the encoder and inverse for the decoder.</summary>
internal static class PngFilters
{
    public const int None = 0;
    public const int Sub = 1;
    public const int Up = 2;
    public const int Average = 3;
    public const int Paeth = 4;

    /// <summary>Reverses <paramref name="filter"/> in place on <paramref name="row"/>; <paramref name="previous"/> is the unfiltered row above (zeros for the first).</summary>
    public static void Unfilter(int filter, Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
    {
        var n = row.Length;
        switch (filter)
        {
            case None:
                break;
            case Sub:
                for (var i = bytesPerPixel; i < n; i++)
                {
                    row[i] = (byte)(row[i] + row[i - bytesPerPixel]);
                }

                break;
            case Up:
                for (var i = 0; i < n; i++)
                {
                    row[i] = (byte)(row[i] + previous[i]);
                }

                break;
            case Average:
                for (var i = 0; i < bytesPerPixel; i++)
                {
                    row[i] = (byte)(row[i] + (previous[i] >> 1));
                }

                for (var i = bytesPerPixel; i < n; i++)
                {
                    row[i] = (byte)(row[i] + ((row[i - bytesPerPixel] + previous[i]) >> 1));
                }

                break;
            case Paeth:
                for (var i = 0; i < bytesPerPixel; i++)
                {
                    row[i] = (byte)(row[i] + previous[i]);
                }

                for (var i = bytesPerPixel; i < n; i++)
                {
                    row[i] = (byte)(row[i] + PaethPredictor(row[i - bytesPerPixel], previous[i], previous[i - bytesPerPixel]));
                }

                break;
            default:
                throw new ImageFormatException($"PNG row uses filter type {filter}; only 0..4 exist (corrupt image data).");
        }
    }

    /// <summary>Writes <paramref name="row"/> filtered with <paramref name="filter"/> into <paramref name="output"/>.</summary>
    public static void Filter(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel, Span<byte> output)
    {
        var n = row.Length;
        for (var i = 0; i < n; i++)
        {
            var left = i >= bytesPerPixel ? row[i - bytesPerPixel] : (byte)0;
            var upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : (byte)0;
            var predicted = filter switch
            {
                None => 0,
                Sub => left,
                Up => previous[i],
                Average => (left + previous[i]) >> 1,
                _ => PaethPredictor(left, previous[i], upLeft),
            };
            output[i] = (byte)(row[i] - predicted);
        }
    }

    private static int PaethPredictor(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }
}
