namespace MiniGpt5.Training.NanoWorld;

/// <summary>An 8-bit sRGB colour.</summary>
public readonly record struct RgbColor(byte R, byte G, byte B)
{
    /// <inheritdoc />
    public override string ToString() => $"({R}, {G}, {B})";
}
