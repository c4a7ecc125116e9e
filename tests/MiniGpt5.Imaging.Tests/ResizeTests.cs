using MiniGpt5.Imaging.Processing;

namespace MiniGpt5.Imaging.Tests;

public sealed class ResizeTests
{
    public static TheoryData<string> ResizeCases => Golden.Names("resize", "expected");

    /// <summary>
    /// Tolerance: max abs error ≤ 1 on uint8 against Pillow 9.4's resize (observed: 0; the resampler copies
    /// Pillow's double-precision weights and 22-bit fixed point, so only a libm with different sin() could differ).
    /// </summary>
    [Theory]
    [MemberData(nameof(ResizeCases))]
    public void Resizes_like_Pillow(string expected)
    {
        var c = Golden.Case("resize", "expected", expected);
        var source = ImageCodec.Decode(Golden.Bytes(c.GetProperty("source").GetString()!));
        var filter = Enum.Parse<ResampleFilter>(c.GetProperty("filter").GetString()!, ignoreCase: true);
        int width = c.GetProperty("width").GetInt32(), height = c.GetProperty("height").GetInt32();

        var resized = ImageOps.Resize(source, width, height, filter);

        Assert.Equal(Golden.Format(c.GetProperty("format").GetString()!), resized.Format);
        Assert.Equal((width, height), (resized.Width, resized.Height));
        var error = Golden.MaxAbsDiff(Golden.Bytes(expected), resized.Pixels);
        Assert.True(error <= 1, $"{expected}: max abs error {error} > 1");
    }

    [Fact]
    public void Same_size_resize_is_a_copy()
    {
        var image = new Image(5, 4, PixelFormat.Rgb);
        new Random(1).NextBytes(image.Pixels);
        var same = ImageOps.Resize(image, 5, 4, ResampleFilter.Lanczos);
        Assert.NotSame(image, same);
        Assert.Equal(image.Pixels, same.Pixels);
    }

    [Theory]
    [InlineData(224, 97, 61, 356, 224)]
    [InlineData(224, 40, 70, 224, 392)]
    [InlineData(512, 300, 300, 512, 512)]
    [InlineData(224, 641, 427, 336, 224)]
    public void Shorter_side_size_truncates_like_torchvision(int size, int w, int h, int expectedW, int expectedH) =>
        Assert.Equal((expectedW, expectedH), ImageOps.ShorterSideSize(w, h, size));
}
