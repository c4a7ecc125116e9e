namespace MiniGpt5.Imaging.Processing;

/// <summary>Resampling filters with Pillow's names and numeric values (PIL.Image.Resampling).</summary>
public enum ResampleFilter
{
    /// <summary>Nearest neighbour (Pillow's affine nearest path, no antialias).</summary>
    Nearest = 0,

    /// <summary>Lanczos, a = 3 (windowed sinc), support 3.</summary>
    Lanczos = 1,

    /// <summary>Triangle filter, support 1 (what torchvision's BILINEAR on PIL images runs).</summary>
    Bilinear = 2,

    /// <summary>Keys cubic with a = −0.5, support 2 (Pillow's default for resize).</summary>
    Bicubic = 3,

    /// <summary>Box filter, support 0.5 (area average when shrinking).</summary>
    Box = 4,

    /// <summary>Hamming-windowed sinc, support 1.</summary>
    Hamming = 5,
}
