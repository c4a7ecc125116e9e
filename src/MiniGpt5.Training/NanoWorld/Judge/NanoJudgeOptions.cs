namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>The judge's tunables; the defaults are what the README's rules and the tests' accuracy bars assume.</summary>
public sealed record NanoJudgeOptions
{
    /// <summary>The defaults.</summary>
    public static NanoJudgeOptions Default { get; } = new();

    /// <summary>
    /// A pixel belongs to the foreground when it is more than this many ΔE from the background estimate. The
    /// closest object/background pair is 46 apart, so 12 catches every pixel at least about a quarter covered
    /// while staying above the colour noise left after smoothing.
    /// </summary>
    public double ForegroundDistance { get; init; } = 12;

    /// <summary>
    /// Connected foreground regions whose soft area (Σ coverage) is below this many pixels are noise, not
    /// objects. The smallest object (a small triangle or rectangle) covers 50.
    /// </summary>
    public double MinObjectArea { get; init; } = 20;

    /// <summary>
    /// Pixels more than this many ΔE from the background are an object's core; a connected foreground region
    /// with two or more cores is split between them (two objects whose blurred rims touch). Every object
    /// colour is at least 46 from every background, so a pixel half covered is about 23 away. (A second pass
    /// splits each part again by cores of pixels at least half covered by the part's own colour.)
    /// </summary>
    public double CoreDistance { get; init; } = 20;

    /// <summary>Fewest pixels a core needs to count (the smallest object has about 40 past <see cref="CoreDistance"/>).</summary>
    public int MinCorePixels { get; init; } = 10;

    /// <summary>
    /// Smooth with a 3x3 [1 2 1]ᵀ[1 2 1]/16 kernel before analysing: it cuts per-pixel noise by a factor of
    /// about 2.7 and leaves half-coverage edges where they are.
    /// </summary>
    public bool Smooth { get; init; } = true;

    /// <summary>
    /// The least coverage an object's core is assumed to reach: its colour is read as the palette colour whose
    /// blends with the background, from this coverage to 1, come closest to the core's measured colour (a
    /// small blurred shape never shows its pure colour). 1 would mean plain nearest-colour.
    /// </summary>
    public double MinPeakCoverage { get; init; } = 0.7;

    /// <summary>A shape whose <see cref="ShapeMoments.Elongation"/> reaches this is a rectangle.</summary>
    public double RectangleElongation { get; init; } = 0.3;

    /// <summary>Otherwise, one whose <see cref="ShapeMoments.Triangularity"/> reaches this is a triangle.</summary>
    public double TriangleTriangularity { get; init; } = 0.4;

    /// <summary>Otherwise, one whose <see cref="ShapeMoments.Squareness"/> reaches this is a square, else a circle.</summary>
    public double SquareSquareness { get; init; } = 0.25;
}
