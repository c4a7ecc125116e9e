using MiniGpt5.Imaging;

namespace MiniGpt5.Training.NanoWorld;

/// <summary>
/// Draws a <see cref="NanoScene"/> as a 64x64 RGB <see cref="Image"/>. Anti-aliased by 4x4 supersampling:
/// each pixel tests the 16 points (x + (i + ½)/4, y + (j + ½)/4), i, j ∈ 0..3, against the shape and takes
/// <c>(background·(16 − k) + colour·k + 8) / 16</c> per channel (integer division), where k is the number of
/// points inside. Every coordinate is a multiple of 1/8 and every inside-test is exact in binary floating
/// point, so the output is bit-identical on every machine. Edges are soft (what a diffusion model finds
/// easy to learn), and a pixel half covered is half way between the two colours, which is exactly where the
/// judge puts its silhouette threshold.
/// </summary>
public static class NanoSceneRenderer
{
    /// <summary>Subsamples per pixel along each axis.</summary>
    public const int Supersampling = 4;

    private const int Samples = Supersampling * Supersampling;

    /// <summary>Renders <paramref name="scene"/>.</summary>
    public static Image Render(NanoScene scene)
    {
        ArgumentNullException.ThrowIfNull(scene);
        const int size = NanoGeometry.CanvasSize;
        var image = new Image(size, size, PixelFormat.Rgb);
        var pixels = image.Pixels;
        var background = NanoPalette.Rgb(scene.Background);
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = background.R;
            pixels[i + 1] = background.G;
            pixels[i + 2] = background.B;
        }

        // Objects sit in distinct cells and never overlap (NanoGeometry), so drawing order does not matter.
        foreach (var o in scene.Objects)
        {
            Draw(pixels, o, background);
        }

        return image;
    }

    /// <summary>Whether the point (x, y), in pixel coordinates, lies inside <paramref name="o"/>'s outline.</summary>
    public static bool Contains(NanoObject o, double x, double y)
    {
        ArgumentNullException.ThrowIfNull(o);
        var (left, top, width, height) = NanoGeometry.Bounds(o);
        return Inside(o.Kind, left, top, width, height, x, y);
    }

    private static bool Inside(ShapeKind kind, double left, double top, double width, double height, double x, double y)
    {
        if (x < left || y < top || x >= left + width || y >= top + height)
        {
            return false;
        }

        var cx = left + (width / 2);
        switch (kind)
        {
            case ShapeKind.Square:
            case ShapeKind.Rectangle:
                return true;
            case ShapeKind.Circle:
                {
                    var cy = top + (height / 2);
                    var r = width / 2;
                    return ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) < r * r;
                }

            case ShapeKind.Triangle:
                // Apex at (cx, top), base along y = top + height: inside when |x − cx| < (y − top)·(width/2)/height,
                // written without the division so it stays exact.
                return Math.Abs(x - cx) * height < (y - top) * (width / 2);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kind.");
        }
    }

    private static void Draw(byte[] pixels, NanoObject o, RgbColor background)
    {
        const int size = NanoGeometry.CanvasSize;
        var colour = NanoPalette.Rgb(o.Color);
        var (left, top, width, height) = NanoGeometry.Bounds(o);
        var x0 = Math.Max(0, (int)Math.Floor(left));
        var y0 = Math.Max(0, (int)Math.Floor(top));
        var x1 = Math.Min(size, (int)Math.Ceiling(left + width));
        var y1 = Math.Min(size, (int)Math.Ceiling(top + height));
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                var inside = 0;
                for (var j = 0; j < Supersampling; j++)
                {
                    var sy = y + ((j + 0.5) / Supersampling);
                    for (var i = 0; i < Supersampling; i++)
                    {
                        if (Inside(o.Kind, left, top, width, height, x + ((i + 0.5) / Supersampling), sy))
                        {
                            inside++;
                        }
                    }
                }

                if (inside == 0)
                {
                    continue;
                }

                var offset = ((y * size) + x) * 3;
                pixels[offset] = Blend(background.R, colour.R, inside);
                pixels[offset + 1] = Blend(background.G, colour.G, inside);
                pixels[offset + 2] = Blend(background.B, colour.B, inside);
            }
        }
    }

    private static byte Blend(byte background, byte colour, int inside) =>
        (byte)(((background * (Samples - inside)) + (colour * inside) + (Samples / 2)) / Samples);
}
