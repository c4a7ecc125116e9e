namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// What an object looks like. Four outlines chosen so that each differs from the others by a feature that
/// survives blur at 64x64: a square fills its bounding box, a circle fills π/4 of it with no corners, a
/// triangle (apex up) has its mass in the lower half, and a rectangle is twice as wide as it is tall.
/// </summary>
public enum ShapeKind
{
    /// <summary>A disc whose diameter is the object's size.</summary>
    Circle = 0,

    /// <summary>An axis-aligned square whose side is the object's size.</summary>
    Square = 1,

    /// <summary>An isosceles triangle, apex up, whose base and height are both the object's size.</summary>
    Triangle = 2,

    /// <summary>An axis-aligned rectangle, as wide as the object's size and half as tall.</summary>
    Rectangle = 3,
}
