namespace MiniGpt5.Imaging.Png;

/// <summary>Settings for <see cref="PngEncoder"/>.</summary>
public sealed record PngEncoderOptions
{
    /// <summary>Defaults: zlib level 6, adaptive filters.</summary>
    public static PngEncoderOptions Default { get; } = new();

    /// <summary>zlib level 0 (store) .. 9 (smallest, slowest); 6 is zlib's and Pillow's default.</summary>
    public int CompressionLevel { get; init; } = 6;

    /// <summary>Per-row filter choice.</summary>
    public PngFilterStrategy Filter { get; init; } = PngFilterStrategy.Adaptive;
}

/// <summary>How the PNG encoder picks a filter for each row.</summary>
public enum PngFilterStrategy
{
    /// <summary>Try all five filters per row and keep the one with the smallest sum of absolute residuals (libpng's heuristic).</summary>
    Adaptive = 0,

    /// <summary>Filter 0 on every row (fastest; good for flat synthetic images).</summary>
    None,

    /// <summary>Sub on every row.</summary>
    Sub,

    /// <summary>Up on every row.</summary>
    Up,

    /// <summary>Average on every row.</summary>
    Average,

    /// <summary>Paeth on every row.</summary>
    Paeth,
}
