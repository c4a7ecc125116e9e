namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// The colour of an object. The sRGB values are in <see cref="NanoPalette"/>; they are at least 39 CIELAB ΔE
/// apart from each other and at least 46 from every background colour.
/// </summary>
public enum ShapeColor
{
    /// <summary>sRGB (215, 25, 35).</summary>
    Red = 0,

    /// <summary>sRGB (250, 135, 0).</summary>
    Orange = 1,

    /// <summary>sRGB (235, 205, 0).</summary>
    Yellow = 2,

    /// <summary>sRGB (25, 150, 45).</summary>
    Green = 3,

    /// <summary>sRGB (25, 85, 225).</summary>
    Blue = 4,

    /// <summary>sRGB (145, 35, 165).</summary>
    Purple = 5,

    /// <summary>sRGB (25, 25, 25).</summary>
    Black = 6,
}
