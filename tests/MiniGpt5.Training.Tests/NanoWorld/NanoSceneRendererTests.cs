using System.Security.Cryptography;
using System.Text.Json;
using MiniGpt5.Imaging;
using MiniGpt5.Testing;
using MiniGpt5.Training.NanoWorld;

namespace MiniGpt5.Training.Tests.NanoWorld;

public sealed class NanoSceneRendererTests
{
    [Fact]
    public void Renders_match_the_independent_python_rasteriser_exactly()
    {
        var renders = JsonDocument.Parse(File.ReadAllText(RepoPaths.GoldenFile("nanoworld", "renders.json"))).RootElement;
        Assert.True(renders.GetArrayLength() >= 8);
        foreach (var entry in renders.EnumerateArray())
        {
            var objects = entry.GetProperty("objects").EnumerateArray().Select(o =>
            {
                var v = o.EnumerateArray().Select(e => e.GetInt32()).ToArray();
                return new NanoObject((ShapeKind)v[0], (ShapeColor)v[1], (ShapeSize)v[2], GridCell.FromIndex(v[3]));
            });
            var scene = new NanoScene((BackgroundColor)entry.GetProperty("background").GetInt32(), objects);
            Assert.Equal(entry.GetProperty("key").GetString(), scene.Key);

            var expected = ImageCodec.Decode(File.ReadAllBytes(RepoPaths.GoldenFile("nanoworld", "renders", entry.GetProperty("file").GetString()!)));
            var actual = NanoSceneRenderer.Render(scene);
            Assert.Equal((64, 64, PixelFormat.Rgb), (actual.Width, actual.Height, actual.Format));
            Assert.Equal(expected.ConvertTo(PixelFormat.Rgb).Pixels, actual.Pixels);
        }
    }

    [Fact]
    public void Same_seed_gives_identical_png_bytes_and_the_golden_pixel_hash()
    {
        static (byte[] Png, byte[] Pixels)[] Make() => NanoDatasetSampler.Captions(0, NanoSplit.Train).Take(200)
            .Select(s => NanoSceneRenderer.Render(s.Scene))
            .Select(i => (ImageCodec.Encode(i, ImageFormat.Png), i.Pixels))
            .ToArray();

        var first = Make();
        var second = Make();
        Assert.Equal(first.Select(f => f.Png), second.Select(s => s.Png));

        // SHA-256 over the raw RGB pixels of the first 200 training images of seed 0. The same images pass
        // `nanoworld_goldens.py --check` (re-rendered in Python from their captions). Hashing pixels rather
        // than PNG bytes keeps the golden independent of the runtime's zlib build.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (_, pixels) in first)
        {
            sha.AppendData(pixels);
        }

        Assert.Equal("8a6564208bf14087a0a0e5d65603b6fe83cbc7ea57076cee6b7d2d0d2e79b35e", Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    [Fact]
    public void A_big_square_fills_its_cell_exactly_and_a_circle_is_antialiased()
    {
        var scene = new NanoScene(BackgroundColor.White, [
            new NanoObject(ShapeKind.Square, ShapeColor.Red, ShapeSize.Big, new GridCell(GridRow.Top, GridColumn.Left)),
            new NanoObject(ShapeKind.Circle, ShapeColor.Blue, ShapeSize.Small, new GridCell(GridRow.Bottom, GridColumn.Right)),
        ]);
        var image = NanoSceneRenderer.Render(scene);
        var red = NanoPalette.Rgb(ShapeColor.Red);
        var white = NanoPalette.Rgb(BackgroundColor.White);
        RgbColor At(int x, int y) => new(image.Pixels[((y * 64) + x) * 3], image.Pixels[(((y * 64) + x) * 3) + 1], image.Pixels[(((y * 64) + x) * 3) + 2]);

        // Centre 11, side 16: pixels 3..18 inclusive, nothing blended.
        for (var y = 0; y < 24; y++)
        {
            for (var x = 0; x < 24; x++)
            {
                Assert.Equal(x is >= 3 and <= 18 && y is >= 3 and <= 18 ? red : white, At(x, y));
            }
        }

        // Circle of diameter 10 centred at (53, 53): fully inside at the centre, partly covered on the rim,
        // background outside its box, and its total coverage within 2% of π·5².
        var blue = NanoPalette.Rgb(ShapeColor.Blue);
        Assert.Equal(blue, At(53, 53));
        Assert.Equal(white, At(47, 53));
        double coverage = 0;
        for (var y = 45; y < 61; y++)
        {
            for (var x = 45; x < 61; x++)
            {
                coverage += (white.R - At(x, y).R) / (double)(white.R - blue.R);
            }
        }

        Assert.InRange(coverage, Math.PI * 25 * 0.98, Math.PI * 25 * 1.02);
        Assert.Contains(Enumerable.Range(45, 16), x => At(x, 49) != blue && At(x, 49) != white);
    }
}
