namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// The sRGB values the renderer paints and the judge compares against. Chosen for separation in CIELAB
/// (D65, ΔE 1976): object colours ≥ 39 apart (closest: blue–purple 39.2, orange–yellow 46.2, red–orange
/// 46.8), backgrounds ≥ 29 apart (white–pale pink 29.4, pale green–pale yellow 29.5), and every object
/// colour ≥ 46 from every background (yellow on pale yellow 46.0), so half of each gap is a comfortable
/// tolerance for a blurry generator. Changing a value changes every rendered image: bump
/// <see cref="NanoWorldInfo.Version"/>.
/// </summary>
public static class NanoPalette
{
    private static readonly RgbColor[] ShapeColors =
    [
        new(215, 25, 35),   // red
        new(250, 135, 0),   // orange
        new(235, 205, 0),   // yellow
        new(25, 150, 45),   // green
        new(25, 85, 225),   // blue
        new(145, 35, 165),  // purple
        new(25, 25, 25),    // black
    ];

    private static readonly RgbColor[] BackgroundColors =
    [
        new(252, 252, 252), // white
        new(175, 205, 250), // pale blue
        new(180, 235, 185), // pale green
        new(250, 190, 210), // pale pink
        new(250, 235, 160), // pale yellow
    ];

    /// <summary>Every object colour, in enum order.</summary>
    public static IReadOnlyList<ShapeColor> AllShapeColors { get; } = Enum.GetValues<ShapeColor>();

    /// <summary>Every background colour, in enum order.</summary>
    public static IReadOnlyList<BackgroundColor> AllBackgrounds { get; } = Enum.GetValues<BackgroundColor>();

    /// <summary>The sRGB value of an object colour.</summary>
    public static RgbColor Rgb(ShapeColor color) => ShapeColors[CheckedIndex((int)color, ShapeColors.Length, color)];

    /// <summary>The sRGB value of a background colour.</summary>
    public static RgbColor Rgb(BackgroundColor color) => BackgroundColors[CheckedIndex((int)color, BackgroundColors.Length, color)];

    private static int CheckedIndex(int index, int count, object value) =>
        index >= 0 && index < count ? index : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a palette colour.");
}
