namespace MiniGpt5.Imaging.Tests;

public sealed class ConversionTests
{
    /// <summary>Pillow's L24 luma: (19595 R + 38470 G + 7471 B + 0x8000) >> 16, exact.</summary>
    [Theory]
    [InlineData(255, 255, 255, 255)]
    [InlineData(0, 0, 0, 0)]
    [InlineData(255, 0, 0, 76)]
    [InlineData(0, 255, 0, 150)]
    [InlineData(0, 0, 255, 29)]
    [InlineData(12, 200, 99, 132)]
    public void Rgb_to_gray_uses_Pillow_luma(byte r, byte g, byte b, byte expected)
    {
        var image = new Image(1, 1, PixelFormat.Rgb, [r, g, b]);
        Assert.Equal(expected, image.ConvertTo(PixelFormat.Gray).Pixels[0]);
        Assert.Equal([expected, 255], image.ConvertTo(PixelFormat.GrayAlpha).Pixels);
    }

    [Fact]
    public void Alpha_is_dropped_without_compositing_and_added_as_opaque()
    {
        var rgba = new Image(1, 1, PixelFormat.Rgba, [10, 20, 30, 0]);
        Assert.Equal([10, 20, 30], rgba.ConvertTo(PixelFormat.Rgb).Pixels);
        Assert.Equal([7, 7, 7, 255], new Image(1, 1, PixelFormat.Gray, [7]).ConvertTo(PixelFormat.Rgba).Pixels);
        Assert.Equal([7, 7, 7, 9], new Image(1, 1, PixelFormat.GrayAlpha, [7, 9]).ConvertTo(PixelFormat.Rgba).Pixels);
        Assert.Equal([7], new Image(1, 1, PixelFormat.GrayAlpha, [7, 9]).ConvertTo(PixelFormat.Gray).Pixels);
    }

    [Fact]
    public void Buffer_length_is_checked() =>
        Assert.Throws<ArgumentException>(() => new Image(2, 2, PixelFormat.Rgb, new byte[11]));
}
