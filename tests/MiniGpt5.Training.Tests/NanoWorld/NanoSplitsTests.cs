using MiniGpt5.Training.NanoWorld;

namespace MiniGpt5.Training.Tests.NanoWorld;

public sealed class NanoSplitsTests
{
    [Fact]
    public void Held_out_stories_and_scenes_never_occur_in_training_whatever_the_seed()
    {
        var trainStories = new HashSet<string>();
        var trainScenes = new HashSet<string>();
        foreach (var seed in new ulong[] { 0, 1, 12345 })
        {
            trainStories.UnionWith(NanoDatasetSampler.Stories(seed, NanoSplit.Train).Take(1000).Select(s => s.Story.Key));
            trainScenes.UnionWith(NanoDatasetSampler.Captions(seed, NanoSplit.Train).Take(1000).Select(s => s.Scene.Key));
        }

        foreach (var held in new[] { NanoSplit.Val, NanoSplit.Test })
        {
            foreach (var seed in new ulong[] { 0, 7 })
            {
                var stories = NanoDatasetSampler.Stories(seed, held).Take(50).ToList();
                Assert.All(stories, s => Assert.Equal(held, NanoSplits.Of(s.Story.Key)));
                Assert.DoesNotContain(stories, s => trainStories.Contains(s.Story.Key));
                var scenes = NanoDatasetSampler.Captions(seed, held).Take(50).ToList();
                Assert.DoesNotContain(scenes, s => trainScenes.Contains(s.Scene.Key));
            }
        }
    }

    [Fact]
    public void Splits_take_90_5_5_percent_of_content()
    {
        var random = new NanoRandom(9);
        var counts = new int[3];
        for (var i = 0; i < 20_000; i++)
        {
            counts[(int)NanoSplits.Of(NanoSceneSampler.Sample(random).Key + "#" + i)]++;
        }

        // Binomial standard deviations: 42 (train), 31 (val, test); bounds are over 5 sigma.
        Assert.InRange(counts[0], 17_780, 18_220);
        Assert.InRange(counts[1], 840, 1_160);
        Assert.InRange(counts[2], 840, 1_160);
    }

    [Fact]
    public void Split_names_round_trip()
    {
        foreach (var split in Enum.GetValues<NanoSplit>())
        {
            Assert.Equal(split, NanoSplits.Parse(NanoSplits.Name(split)));
        }

        Assert.Equal(NanoSplit.Test, NanoSplits.Parse("TEST"));
        Assert.Throws<ArgumentException>(() => NanoSplits.Parse("holdout"));
    }
}
