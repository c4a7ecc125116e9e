using System.Text.Json;
using MiniGpt5.Testing;
using MiniGpt5.Training.NanoWorld;

namespace MiniGpt5.Training.Tests.NanoWorld;

public sealed class NanoStoryTests
{
    [Fact]
    public void Stories_match_the_independent_python_generator()
    {
        var samples = JsonDocument.Parse(File.ReadAllText(RepoPaths.GoldenFile("nanoworld", "samples.json"))).RootElement;
        foreach (var split in samples.GetProperty("stories").EnumerateObject())
        {
            var expected = split.Value.EnumerateArray().ToList();
            var actual = NanoDatasetSampler.Stories(0, NanoSplits.Parse(split.Name)).Take(expected.Count).ToList();
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].GetProperty("candidate").GetInt64(), actual[i].Candidate);
                Assert.Equal(expected[i].GetProperty("keys").EnumerateArray().Select(k => k.GetString()), actual[i].Story.Steps.Select(s => s.Scene.Key));
                Assert.Equal(expected[i].GetProperty("events").EnumerateArray().Select(k => k.GetString()), actual[i].Story.Steps.Select(s => s.Event.ToString()));
                Assert.Equal(expected[i].GetProperty("texts").EnumerateArray().Select(k => k.GetString()), actual[i].Story.Steps.Select(s => s.Text));
            }
        }
    }

    [Fact]
    public void Each_step_changes_exactly_what_its_event_says_and_its_text_describes_its_scene()
    {
        var random = new NanoRandom(21);
        var events = new Dictionary<NanoStoryEvent, int>();
        for (var n = 0; n < 1500; n++)
        {
            var story = NanoStoryGenerator.Generate(random);
            Assert.InRange(story.Steps.Count, NanoStoryGenerator.MinSteps, NanoStoryGenerator.MaxSteps);
            Assert.Equal(NanoStoryEvent.Start, story.Steps[0].Event);
            foreach (var step in story.Steps)
            {
                Assert.Equal(step.Scene, NanoCaptionParser.Parse(step.Text));
            }

            for (var i = 1; i < story.Steps.Count; i++)
            {
                var (before, after, e) = (story.Steps[i - 1].Scene, story.Steps[i].Scene, story.Steps[i].Event);
                events[e] = events.GetValueOrDefault(e) + 1;
                AssertSingleChange(before, after, e);
            }
        }

        // Every event type occurs.
        Assert.Equal(6, events.Count);
    }

    [Fact]
    public void Same_seed_same_story()
    {
        var a = NanoStoryGenerator.Generate(new NanoRandom(77));
        var b = NanoStoryGenerator.Generate(new NanoRandom(77));
        Assert.Equal(a.Steps, b.Steps);
        Assert.Equal(a.Key, b.Key);
    }

    private static void AssertSingleChange(NanoScene before, NanoScene after, NanoStoryEvent e)
    {
        var removed = before.Objects.Except(after.Objects).ToList();
        var added = after.Objects.Except(before.Objects).ToList();
        switch (e)
        {
            case NanoStoryEvent.ChangeBackground:
                Assert.NotEqual(before.Background, after.Background);
                Assert.Equal(before.Objects, after.Objects);
                return;
            case NanoStoryEvent.Appear:
                Assert.Empty(removed);
                Assert.Single(added);
                break;
            case NanoStoryEvent.Disappear:
                Assert.Single(removed);
                Assert.Empty(added);
                break;
            default:
                var (old, changed) = (Assert.Single(removed), Assert.Single(added));
                var differences = (old.Kind != changed.Kind ? 1 : 0) + (old.Color != changed.Color ? 1 : 0) +
                    (old.Size != changed.Size ? 1 : 0) + (old.Cell != changed.Cell ? 1 : 0);
                Assert.Equal(1, differences);
                Assert.Equal(old.Kind, changed.Kind);
                Assert.True(e switch
                {
                    NanoStoryEvent.Move => old.Cell != changed.Cell,
                    NanoStoryEvent.Recolor => old.Color != changed.Color,
                    NanoStoryEvent.Resize => old.Size != changed.Size,
                    _ => false,
                }, $"{e}: {old} -> {changed}");
                break;
        }

        Assert.Equal(before.Background, after.Background);
    }
}
