namespace MiniGpt5.Imaging.Jpeg;

/// <summary>One colour component of a JPEG frame and its decoded coefficients.</summary>
internal sealed class JpegComponent
{
    public required int Id { get; init; }

    public required int H { get; init; }

    public required int V { get; init; }

    public required int QuantTableIndex { get; init; }

    /// <summary>Samples per row/column of this component: ceil(imageSize × factor / maxFactor).</summary>
    public int DownsampledWidth { get; set; }

    public int DownsampledHeight { get; set; }

    /// <summary>Blocks that hold real samples (what a non-interleaved scan codes).</summary>
    public int BlocksPerLine { get; set; }

    public int BlocksPerColumn { get; set; }

    /// <summary>Blocks allocated: whole MCUs, so interleaved scans can write their padding blocks.</summary>
    public int AllocatedBlocksPerLine { get; set; }

    public int AllocatedBlocksPerColumn { get; set; }

    /// <summary>64 coefficients per block in natural order, row-major over allocated blocks.</summary>
    public short[] Coefficients { get; set; } = [];

    /// <summary>The quantisation table in force at the component's first scan (libjpeg latches it then).</summary>
    public ushort[]? Quant { get; set; }

    public int DcPredictor { get; set; }

    public JpegHuffmanTable? DcTable { get; set; }

    public JpegHuffmanTable? AcTable { get; set; }

    public Span<short> Block(int row, int column) =>
        Coefficients.AsSpan(((row * AllocatedBlocksPerLine) + column) * 64, 64);
}
