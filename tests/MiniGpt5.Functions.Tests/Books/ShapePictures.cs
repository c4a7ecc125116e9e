using MiniGpt5.Imaging;
using MiniGpt5.Imaging.Png;

namespace MiniGpt5.Functions.Tests.Books;

/// <summary>Draws the kind of picture the nano model makes (a coloured shape on a plain background) as PNG bytes.</summary>
internal static class ShapePictures
{
    public static readonly (byte R, byte G, byte B) LightBlue = (173, 216, 230);

    public static byte[] Draw(string shape, (byte R, byte G, byte B) colour, (byte R, byte G, byte B) background, int size = 128)
    {
        var image = new Image(size, size, PixelFormat.Rgb);
        var pixels = image.Pixels;
        var c = size / 2.0;
        var r = size * 0.3;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                double dx = x + 0.5 - c, dy = y + 0.5 - c;
                var inside = shape switch
                {
                    "circle" => (dx * dx) + (dy * dy) <= r * r,
                    "square" => Math.Abs(dx) <= r && Math.Abs(dy) <= r,
                    "triangle" => dy <= r && dy >= -r && Math.Abs(dx) <= (dy + r) / 2,
                    _ => Star(dx, dy, r),
                };
                var (red, green, blue) = inside ? colour : background;
                var i = ((y * size) + x) * 3;
                pixels[i] = red;
                pixels[i + 1] = green;
                pixels[i + 2] = blue;
            }
        }

        return PngEncoder.Encode(image);
    }

    /// <summary>A five-pointed star: inside when the radius is under the star's outline at that angle.</summary>
    private static bool Star(double dx, double dy, double r)
    {
        var angle = Math.Atan2(dy, dx) + (Math.PI / 2);
        var sector = (angle % (2 * Math.PI / 5) + (2 * Math.PI / 5)) % (2 * Math.PI / 5);
        var t = Math.Abs(sector - (Math.PI / 5)) / (Math.PI / 5);
        var outline = r * (0.45 + (0.55 * t));
        return Math.Sqrt((dx * dx) + (dy * dy)) <= outline;
    }

    /// <summary>A picture for a step text: the first shape and colours named in it.</summary>
    public static byte[] ForText(string text, int size = 128)
    {
        var lower = text.ToLowerInvariant();
        var shape = new[] { "circle", "square", "triangle", "star" }.FirstOrDefault(s => lower.Contains(s, StringComparison.Ordinal)) ?? "circle";
        // Longest names first, blanking each match, so "light blue" is not also read as "blue".
        var found = new List<(int At, (byte, byte, byte) Colour)>();
        var rest = lower;
        foreach (var (name, value) in Colours.OrderByDescending(kv => kv.Key.Length))
        {
            for (var at = rest.IndexOf(name, StringComparison.Ordinal); at >= 0; at = rest.IndexOf(name, at + 1, StringComparison.Ordinal))
            {
                found.Add((at, value));
                rest = rest[..at] + new string('_', name.Length) + rest[(at + name.Length)..];
            }
        }

        var named = found.OrderBy(f => f.At).Select(f => f.Colour).ToList();
        var colour = named.Count > 0 ? named[0] : ((byte)200, (byte)60, (byte)60);
        var background = named.Count > 1 ? named[^1] : ((byte)250, (byte)250, (byte)250);
        return Draw(shape, colour, background, size);
    }

    private static readonly Dictionary<string, (byte, byte, byte)> Colours = new(StringComparer.Ordinal)
    {
        ["light blue"] = LightBlue,
        ["dark blue"] = (25, 35, 90),
        ["light green"] = (170, 220, 160),
        ["pale green"] = (200, 235, 190),
        ["dark purple"] = (60, 30, 80),
        ["pale yellow"] = (250, 245, 190),
        ["red"] = (220, 40, 40),
        ["yellow"] = (245, 210, 40),
        ["green"] = (60, 170, 80),
        ["orange"] = (245, 140, 30),
        ["purple"] = (140, 70, 170),
        ["white"] = (250, 250, 250),
        ["black"] = (15, 15, 15),
        ["grey"] = (140, 140, 140),
        ["pink"] = (240, 150, 190),
        ["brown"] = (130, 85, 45),
        ["blue"] = (40, 90, 210),
    };
}
