namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// How large an object is drawn: <see cref="NanoGeometry.SizePixels"/> gives its extent in pixels. Two sizes
/// only, far enough apart (10 and 16 pixels, 2.56x the area) that a blurred drawing is still unambiguous.
/// </summary>
public enum ShapeSize
{
    /// <summary>10 pixels across.</summary>
    Small = 0,

    /// <summary>16 pixels across.</summary>
    Big = 1,
}
