namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// Where things are drawn on the 64x64 canvas. Coordinates are in pixels with (0, 0) the top-left corner of
/// the top-left pixel, so pixel (x, y) covers [x, x+1) × [y, y+1).
/// </summary>
public static class NanoGeometry
{
    /// <summary>Width and height of every rendered image.</summary>
    public const int CanvasSize = 64;

    /// <summary>
    /// Cell centres along either axis. Integers, so squares and rectangles of even size land on pixel edges
    /// (crisp), and symmetric (11 = 64 − 53). A big object (16 px) spans 3..19, 24..40 or 45..61: objects in
    /// touching cells are always at least 5 pixels apart, so they never merge even after heavy blur.
    /// </summary>
    private static readonly int[] Centers = [11, 32, 53];

    /// <summary>
    /// The judge's cell boundaries: midway between neighbouring centres, at 21.5 and 42.5 pixels.
    /// </summary>
    public static double CellBoundaryLow => (Centers[0] + Centers[1]) / 2.0;

    /// <summary>The boundary between the middle and the last third (42.5).</summary>
    public static double CellBoundaryHigh => (Centers[1] + Centers[2]) / 2.0;

    /// <summary>The centre of <paramref name="cell"/>, in pixels.</summary>
    public static (int X, int Y) CellCenter(GridCell cell) => (Centers[(int)cell.Column], Centers[(int)cell.Row]);

    /// <summary>
    /// The object's extent in pixels: a circle's diameter, a square's side, a triangle's base (and height), a
    /// rectangle's width (its height is half that).
    /// </summary>
    public static int SizePixels(ShapeSize size) => size switch
    {
        ShapeSize.Small => 10,
        ShapeSize.Big => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown size."),
    };

    /// <summary>
    /// The size threshold the judge uses: the geometric mean of the two extents, √(10·16) ≈ 12.65 pixels.
    /// </summary>
    public static double SizeThreshold => Math.Sqrt(SizePixels(ShapeSize.Small) * (double)SizePixels(ShapeSize.Big));

    /// <summary>
    /// The shape's bounding box (left, top, width, height) in pixels: centred on the cell centre, width = size,
    /// height = size (half for a rectangle).
    /// </summary>
    public static (double Left, double Top, double Width, double Height) Bounds(NanoObject o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var (cx, cy) = CellCenter(o.Cell);
        double width = SizePixels(o.Size);
        var height = o.Kind == ShapeKind.Rectangle ? width / 2 : width;
        return (cx - (width / 2), cy - (height / 2), width, height);
    }

    /// <summary>The grid column (or row) a coordinate falls in, by the judge's boundaries.</summary>
    public static int Third(double coordinate) =>
        coordinate < CellBoundaryLow ? 0 : coordinate < CellBoundaryHigh ? 1 : 2;
}
