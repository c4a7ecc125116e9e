namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// The colour that fills the canvas behind the objects: a separate, light palette (see
/// <see cref="NanoPalette"/>) whose entries are at least 29 CIELAB ΔE apart.
/// </summary>
public enum BackgroundColor
{
    /// <summary>sRGB (252, 252, 252).</summary>
    White = 0,

    /// <summary>sRGB (175, 205, 250).</summary>
    PaleBlue = 1,

    /// <summary>sRGB (180, 235, 185).</summary>
    PaleGreen = 2,

    /// <summary>sRGB (250, 190, 210).</summary>
    PalePink = 3,

    /// <summary>sRGB (250, 235, 160).</summary>
    PaleYellow = 4,
}
