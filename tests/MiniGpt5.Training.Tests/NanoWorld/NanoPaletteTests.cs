using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.NanoWorld.Judge;

namespace MiniGpt5.Training.Tests.NanoWorld;

public sealed class NanoPaletteTests
{
    [Theory]
    // Reference values from the CIE formulas with the D65 white (Lindbloom's calculator), to 0.01.
    [InlineData(255, 0, 0, 53.2408, 80.0925, 67.2032)]
    [InlineData(0, 0, 255, 32.2970, 79.1875, -107.8602)]
    [InlineData(255, 255, 255, 100.0, 0.0, 0.0)]
    [InlineData(0, 0, 0, 0.0, 0.0, 0.0)]
    [InlineData(128, 128, 128, 53.5850, 0.0, 0.0)]
    public void Srgb_to_cielab_matches_reference_values(byte r, byte g, byte b, double l, double a, double bb)
    {
        var lab = CieLab.FromSrgb(r, g, b);
        Assert.Equal(l, lab.L, 0.01);
        Assert.Equal(a, lab.A, 0.01);
        Assert.Equal(bb, lab.B, 0.01);
    }

    [Fact]
    public void Palettes_keep_the_documented_separation()
    {
        var shapes = NanoPalette.AllShapeColors.Select(c => CieLab.FromSrgb(NanoPalette.Rgb(c))).ToList();
        var backgrounds = NanoPalette.AllBackgrounds.Select(c => CieLab.FromSrgb(NanoPalette.Rgb(c))).ToList();
        static double MinPairwise(List<CieLab> colours) =>
            colours.SelectMany((x, i) => colours.Skip(i + 1).Select(y => x.DistanceTo(y))).Min();

        Assert.InRange(MinPairwise(shapes), 39, double.MaxValue);
        Assert.InRange(MinPairwise(backgrounds), 29, double.MaxValue);
        Assert.InRange(shapes.SelectMany(s => backgrounds.Select(s.DistanceTo)).Min(), 46, double.MaxValue);
        Assert.Equal(7, shapes.Count);
        Assert.Equal(5, backgrounds.Count);
    }
}
