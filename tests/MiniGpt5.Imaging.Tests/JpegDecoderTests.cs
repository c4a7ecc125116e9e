using MiniGpt5.Imaging.Processing;

namespace MiniGpt5.Imaging.Tests;

public sealed class JpegDecoderTests
{
    public static TheoryData<string> JpegCases => Golden.Names("decode", "name", c => c.GetProperty("name").GetString()!.StartsWith("jpeg_", StringComparison.Ordinal));

    public static TheoryData<string> OrientationCases => Golden.Names("decode", "name", c => c.TryGetProperty("transposed", out _));

    /// <summary>
    /// Tolerance: max abs error ≤ 1 per channel on uint8 against Pillow (libjpeg-turbo 2.1.5). The decoder
    /// copies libjpeg's integer paths, so the observed error is 0; 1 leaves room for a different libjpeg build.
    /// </summary>
    [Theory]
    [MemberData(nameof(JpegCases))]
    public void Decodes_like_Pillow(string name)
    {
        var c = Golden.Case("decode", "name", name);
        var image = ImageCodec.Decode(Golden.Bytes(c.GetProperty("input").GetString()!), sourceName: name);

        Assert.Equal(c.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(c.GetProperty("height").GetInt32(), image.Height);
        Assert.Equal(Golden.Format(c.GetProperty("format").GetString()!), image.Format);
        Assert.Equal(c.GetProperty("orientation").GetInt32(), image.ExifOrientation);
        var error = Golden.MaxAbsDiff(Golden.Bytes(c.GetProperty("expected").GetString()!), image.Pixels);
        Assert.True(error <= 1, $"{name}: max abs error {error} > 1");
    }

    /// <summary>Tolerance: exact relative to Pillow's decode; transposition only moves pixels.</summary>
    [Theory]
    [MemberData(nameof(OrientationCases))]
    public void Exif_orientation_is_applied_like_exif_transpose(string name)
    {
        var c = Golden.Case("decode", "name", name);
        var t = c.GetProperty("transposed");
        var decoded = ImageCodec.Decode(Golden.Bytes(c.GetProperty("input").GetString()!));
        var expectedUntransposed = Golden.Bytes(c.GetProperty("expected").GetString()!);
        var pillowDecoded = new Image(decoded.Width, decoded.Height, decoded.Format, expectedUntransposed) { ExifOrientation = decoded.ExifOrientation };

        var upright = ImageOps.ApplyExifOrientation(pillowDecoded);

        Assert.Equal(1, upright.ExifOrientation);
        Assert.Equal(t.GetProperty("width").GetInt32(), upright.Width);
        Assert.Equal(t.GetProperty("height").GetInt32(), upright.Height);
        Assert.Equal(Golden.Bytes(t.GetProperty("expected").GetString()!), upright.Pixels);
    }

    [Fact]
    public void Png_exif_chunk_orientation_is_read() =>
        Assert.Equal(6, ImageCodec.Decode(Golden.Bytes("png/png_exif6.png")).ExifOrientation);

    [Fact]
    public void Truncated_baseline_file_is_refused()
    {
        var data = Golden.Bytes("jpeg/jpeg_420_q90.jpg");
        var e = Assert.Throws<ImageFormatException>(() => ImageCodec.Decode(data[..(data.Length * 2 / 3)], sourceName: "cut.jpg"));
        Assert.Contains("truncated", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("cut.jpg: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_progressive_file_is_refused()
    {
        var data = Golden.Bytes("jpeg/jpeg_progressive_420.jpg");
        Assert.Throws<ImageFormatException>(() => ImageCodec.Decode(data[..(data.Length / 2)]));
    }

    [Fact]
    public void Huge_declared_size_is_refused()
    {
        var data = Golden.Bytes("jpeg/jpeg_444_q90.jpg");
        var sof = data.AsSpan().IndexOf(new byte[] { 0xFF, 0xC0 });
        data[sof + 5] = 0xFF; // height 65535...
        data[sof + 6] = 0xFF;
        data[sof + 7] = 0xFF; // ...width 65535: 4.3 gigapixels
        data[sof + 8] = 0xFF;
        var e = Assert.Throws<ImageFormatException>(() => ImageCodec.Decode(data));
        Assert.Contains("65535x65535", e.Message, StringComparison.Ordinal);
    }
}
