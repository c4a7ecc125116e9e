namespace MiniGpt5.Training.NanoWorld.Judge;

/// <summary>An object the judge found in an image, with the measurements its attributes were read from.</summary>
/// <param name="Kind">Outline, read from <see cref="Shape"/>.</param>
/// <param name="Color">Nearest palette colour to <see cref="MeasuredColor"/>.</param>
/// <param name="Size">From <see cref="EquivalentSize"/> against <see cref="NanoGeometry.SizeThreshold"/>.</param>
/// <param name="Cell">The grid cell holding the centre of mass.</param>
/// <param name="CenterX">Centre of mass, x in pixels of the 64x64 canvas.</param>
/// <param name="CenterY">Centre of mass, y in pixels.</param>
/// <param name="Area">Soft area: the sum of per-pixel coverage.</param>
/// <param name="Shape">Rotation-invariant moment descriptors of the coverage.</param>
/// <param name="MeasuredColor">Median colour of the object's more strongly coloured half of pixels.</param>
/// <param name="ColorDistance">ΔE from <see cref="MeasuredColor"/> to the palette colour picked.</param>
public sealed record DetectedObject(
    ShapeKind Kind,
    ShapeColor Color,
    ShapeSize Size,
    GridCell Cell,
    double CenterX,
    double CenterY,
    double Area,
    ShapeMoments Shape,
    CieLab MeasuredColor,
    double ColorDistance)
{
    /// <summary>
    /// The size in pixels a shape of <see cref="Kind"/> with this area has: √(area / fraction), where fraction
    /// is the part of a size×size box the kind fills (circle π/4, square 1, triangle and rectangle ½).
    /// </summary>
    public double EquivalentSize => Math.Sqrt(Area / ShapeMoments.BoxFraction(Kind));

    /// <summary>The object as the world would describe it.</summary>
    public NanoObject AsNanoObject() => new(Kind, Color, Size, Cell);

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant(
        $"{AsNanoObject()} (centre {CenterX:F1},{CenterY:F1}; area {Area:F0}; size {EquivalentSize:F1}; {Shape}; colour {MeasuredColor}, ΔE {ColorDistance:F0})");
}
