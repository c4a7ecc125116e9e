using MiniGpt5.Imaging.Png;

namespace MiniGpt5.Imaging.Tests;

public sealed class PngEncoderTests
{
    internal static byte[] TinyPng() => PngEncoder.Encode(new Image(1, 1, PixelFormat.Gray));

    [Theory]
    [InlineData(PixelFormat.Gray)]
    [InlineData(PixelFormat.GrayAlpha)]
    [InlineData(PixelFormat.Rgb)]
    [InlineData(PixelFormat.Rgba)]
    public void Round_trips_every_format_and_level(PixelFormat format)
    {
        var image = new Image(37, 23, format);
        new Random((int)format).NextBytes(image.Pixels);
        foreach (var level in new[] { 0, 1, 6, 9 })
        {
            foreach (var filter in Enum.GetValues<PngFilterStrategy>())
            {
                var bytes = PngEncoder.Encode(image, new PngEncoderOptions { CompressionLevel = level, Filter = filter });
                var decoded = ImageCodec.Decode(bytes);
                Assert.Equal(format, decoded.Format);
                Assert.Equal(image.Pixels, decoded.Pixels);
            }
        }
    }

    [Fact]
    public void Adaptive_filtering_beats_no_filtering_on_smooth_images()
    {
        var image = new Image(128, 96, PixelFormat.Rgb);
        for (var y = 0; y < 96; y++)
        {
            for (var x = 0; x < 128; x++)
            {
                var p = image.Row(y).Slice(x * 3, 3);
                p[0] = (byte)(x * 2);
                p[1] = (byte)(y * 2);
                p[2] = (byte)(x + y);
            }
        }

        var adaptive = PngEncoder.Encode(image).Length;
        var none = PngEncoder.Encode(image, new PngEncoderOptions { Filter = PngFilterStrategy.None }).Length;
        Assert.True(adaptive < none, $"adaptive {adaptive} bytes, none {none} bytes");
    }

    [Fact]
    public void Rejects_invalid_compression_level() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode(new Image(1, 1, PixelFormat.Gray), new PngEncoderOptions { CompressionLevel = 10 }));
}
