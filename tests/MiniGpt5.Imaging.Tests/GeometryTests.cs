using MiniGpt5.Imaging.Processing;

namespace MiniGpt5.Imaging.Tests;

public sealed class GeometryTests
{
    private static Image Numbered(int width, int height)
    {
        var image = new Image(width, height, PixelFormat.Gray);
        for (var i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (byte)(i + 1);
        }

        return image;
    }

    [Fact]
    public void Center_crop_rounds_half_to_even_like_python()
    {
        // 7 wide, crop 4: (7-4)/2 = 1.5 -> round -> 2. 9 high, crop 4: 2.5 -> 2.
        var image = Numbered(7, 9);
        var crop = ImageOps.CenterCrop(image, 4, 4);
        Assert.Equal(image.Pixels[(2 * 7) + 2], crop.Pixels[0]);
    }

    [Fact]
    public void Center_crop_larger_than_image_pads_with_zero()
    {
        var image = Numbered(2, 2);
        var crop = ImageOps.CenterCrop(image, 5, 4);
        // padding left 1, right 2, top 1, bottom 1; then the padded 5x4 image is the crop.
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0], crop.Pixels);
    }

    [Fact]
    public void Pad_to_square_centres_with_floor_offset()
    {
        var image = Numbered(3, 6); // tall: pad left (6-3)//2 = 1, right 2
        var square = ImageOps.PadToSquare(image, [9]);
        Assert.Equal((6, 6), (square.Width, square.Height));
        Assert.Equal([9, 1, 2, 3, 9, 9], square.Row(0).ToArray());
    }

    [Fact]
    public void Flips_and_rotations_compose_to_identity()
    {
        var image = Numbered(5, 3);
        Assert.Equal(image.Pixels, ImageOps.FlipHorizontal(ImageOps.FlipHorizontal(image)).Pixels);
        Assert.Equal(image.Pixels, ImageOps.Rotate90Clockwise(ImageOps.Rotate90CounterClockwise(image)).Pixels);
        Assert.Equal(image.Pixels, ImageOps.Transpose(ImageOps.Transpose(image)).Pixels);
        Assert.Equal(image.Pixels, ImageOps.Rotate180(ImageOps.Transverse(ImageOps.Transpose(image))).Pixels);
        Assert.Equal([5, 4, 3, 2, 1], ImageOps.FlipHorizontal(image).Row(0).ToArray());
    }

    [Fact]
    public void Crop_outside_the_image_is_zero()
    {
        var crop = ImageOps.Crop(Numbered(2, 2), -1, 1, 3, 2);
        Assert.Equal([0, 3, 4, 0, 0, 0], crop.Pixels);
    }
}
