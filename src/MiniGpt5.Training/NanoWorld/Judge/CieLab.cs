namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>
/// A CIELAB colour (D65 white, 2° observer), the space the judge compares colours in: distances in it
/// (ΔE 1976, plain Euclidean) follow perceived differences far better than RGB distances do.
/// </summary>
/// <param name="L">Lightness, 0..100.</param>
/// <param name="A">Green (−) to red (+).</param>
/// <param name="B">Blue (−) to yellow (+).</param>
public readonly record struct CieLab(double L, double A, double B)
{
    // sRGB → linear, for each 8-bit code (IEC 61966-2-1).
    private static readonly double[] Linear = [.. Enumerable.Range(0, 256).Select(v => ToLinear(v / 255.0))];

    private static readonly double[] LinearSixteenths = [.. Enumerable.Range(0, (255 * 16) + 1).Select(v => ToLinear(v / (255.0 * 16)))];

    /// <summary>The CIELAB value of an 8-bit sRGB colour.</summary>
    public static CieLab FromSrgb(byte r, byte g, byte b) => FromLinear(Linear[r], Linear[g], Linear[b]);

    /// <summary>The CIELAB value of an 8-bit sRGB colour.</summary>
    public static CieLab FromSrgb(NanoWorld.RgbColor color) => FromSrgb(color.R, color.G, color.B);

    /// <summary>
    /// The CIELAB value of an sRGB colour given in sixteenths of an 8-bit level (0..4080): what a 3x3 kernel
    /// with weights summing to 16 makes of 8-bit samples. Exact (table of all 4081 values).
    /// </summary>
    public static CieLab FromSrgbSixteenths(int r, int g, int b) =>
        FromLinear(LinearSixteenths[r], LinearSixteenths[g], LinearSixteenths[b]);

    /// <summary>
    /// The CIELAB value of an sRGB colour given as real numbers in 0..255 (used after blurring, when samples
    /// are no longer whole numbers).
    /// </summary>
    public static CieLab FromSrgb(double r, double g, double b) =>
        FromLinear(ToLinear(Math.Clamp(r, 0, 255) / 255), ToLinear(Math.Clamp(g, 0, 255) / 255), ToLinear(Math.Clamp(b, 0, 255) / 255));

    /// <summary>ΔE 1976: the Euclidean distance.</summary>
    public double DistanceTo(CieLab other)
    {
        var dl = L - other.L;
        var da = A - other.A;
        var db = B - other.B;
        return Math.Sqrt((dl * dl) + (da * da) + (db * db));
    }

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"Lab({L:F1}, {A:F1}, {B:F1})");

    private static double ToLinear(double c) => c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);

    private static CieLab FromLinear(double r, double g, double b)
    {
        // sRGB primaries → XYZ (D65), then relative to the D65 white point.
        var x = ((0.4124564 * r) + (0.3575761 * g) + (0.1804375 * b)) / 0.95047;
        var y = (0.2126729 * r) + (0.7151522 * g) + (0.0721750 * b);
        var z = ((0.0193339 * r) + (0.1191920 * g) + (0.9503041 * b)) / 1.08883;
        var fx = F(x);
        var fy = F(y);
        var fz = F(z);
        return new CieLab((116 * fy) - 16, 500 * (fx - fy), 200 * (fy - fz));
    }

    private static double F(double t)
    {
        const double epsilon = 216.0 / 24389.0;
        const double kappa = 24389.0 / 27.0;
        return t > epsilon ? Math.Cbrt(t) : ((kappa * t) + 16) / 116;
    }
}
