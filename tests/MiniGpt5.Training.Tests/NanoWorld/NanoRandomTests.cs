using System.Globalization;
using System.Text.Json;
using MiniGpt5.Testing;
using MiniGpt5.Training.NanoWorld;

namespace MiniGpt5.Training.Tests.NanoWorld;

/// <summary>The generator against tools/reference/nanoworld_goldens.py's independent SplitMix64 (exact).</summary>
public sealed class NanoRandomTests
{
    private static readonly JsonElement Golden =
        JsonDocument.Parse(File.ReadAllText(RepoPaths.GoldenFile("nanoworld", "prng.json"))).RootElement;

    [Fact]
    public void Raw_outputs_match_the_reference()
    {
        foreach (var entry in Golden.GetProperty("outputs").EnumerateObject())
        {
            var random = new NanoRandom(ulong.Parse(entry.Name, CultureInfo.InvariantCulture));
            foreach (var expected in entry.Value.EnumerateArray())
            {
                Assert.Equal(ulong.Parse(expected.GetString()!, CultureInfo.InvariantCulture), random.NextUInt64());
            }
        }
    }

    [Fact]
    public void Seed_zero_starts_with_the_published_splitmix64_sequence()
    {
        // Vigna's splitmix64.c from state 0.
        var random = new NanoRandom(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void Bounded_integers_doubles_and_derived_seeds_match_the_reference()
    {
        foreach (var entry in Golden.GetProperty("next_int").EnumerateObject())
        {
            var random = new NanoRandom(42);
            var n = int.Parse(entry.Name, CultureInfo.InvariantCulture);
            Assert.Equal(entry.Value.EnumerateArray().Select(v => v.GetInt32()), Enumerable.Range(0, 12).Select(_ => random.NextInt(n)));
        }

        var doubles = new NanoRandom(7);
        foreach (var expected in Golden.GetProperty("next_double").EnumerateArray())
        {
            Assert.Equal(double.Parse(expected.GetString()!, CultureInfo.InvariantCulture), doubles.NextDouble());
        }

        foreach (var row in Golden.GetProperty("derive_seed").EnumerateArray())
        {
            var v = row.EnumerateArray().Select(e => ulong.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(v[3], NanoRandom.DeriveSeed(v[0], v[1], v[2]));
        }
    }

    [Fact]
    public void Bounded_integers_are_uniform_and_in_range()
    {
        var random = new NanoRandom(3);
        var counts = new int[7];
        for (var i = 0; i < 70_000; i++)
        {
            counts[random.NextInt(7)]++;
        }

        // 10,000 expected per bin, standard deviation ≈ 93: ±500 is over 5 sigma.
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(0));
    }

    [Fact]
    public void Weighted_picks_follow_the_weights_and_skip_zero_weights()
    {
        var random = new NanoRandom(5);
        var counts = new int[4];
        for (var i = 0; i < 60_000; i++)
        {
            counts[random.PickWeighted([1, 0, 2, 3])]++;
        }

        Assert.Equal(0, counts[1]);
        Assert.InRange(counts[0], 9_400, 10_600);
        Assert.InRange(counts[2], 19_300, 20_700);
        Assert.InRange(counts[3], 29_200, 30_800);
        Assert.Throws<ArgumentOutOfRangeException>(() => random.PickWeighted([0, 0]));
    }
}
