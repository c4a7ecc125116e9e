using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Testing;

namespace MiniGpt5.Functions.Tests.Manuscripts;

/// <summary>The sample manuscripts in samples/manuscripts read as their names promise.</summary>
public sealed class SampleManuscriptTests
{
    private static async Task<IReadOnlyList<ManuscriptReadResult>> ReadSampleAsync(string name) =>
        await new ManuscriptReader().ReadFileAsync(Path.Combine(RepoPaths.RepoRoot, "samples", "manuscripts", name));

    [Fact]
    public async Task Markdown_sample_has_three_chapters_of_three_steps()
    {
        var m = Assert.Single(await ReadSampleAsync("shapes-day-and-night.md")).Manuscript!;
        Assert.Equal("Shapes from Morning to Night", m.Title);
        Assert.Equal(["Morning", "Afternoon", "Night"], m.Chapters.Select(c => c.Title));
        Assert.All(m.Chapters, c => Assert.Equal(3, c.Steps.Count));
        Assert.Equal("flat colours, simple geometric shapes", m.Options.Style);
        Assert.Empty(m.Warnings);
    }

    [Fact]
    public async Task Plain_text_sample_has_a_title_and_two_chapters()
    {
        var m = Assert.Single(await ReadSampleAsync("shapes-garden.txt")).Manuscript!;
        Assert.Equal("THE SHAPE GARDEN", m.Title);
        Assert.Equal(["Chapter 1: Planting", "Chapter 2: Blooming"], m.Chapters.Select(c => c.Title));
        Assert.Equal([3, 4], m.Chapters.Select(c => c.Steps.Count));
    }

    [Fact]
    public async Task Vist_sample_has_two_stories_in_sequence_order()
    {
        var results = await ReadSampleAsync("shapes-stories.vist.json");
        Assert.Equal(["story-shapes-001", "story-shapes-002"], results.Select(r => r.ItemKey));
        Assert.Equal([5, 3], results.Select(r => r.Manuscript!.StepCount));
        Assert.StartsWith("one orange square", results[1].Manuscript!.Chapters[0].Steps[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_sample_has_three_good_lines_and_the_malformed_one_fails_alone()
    {
        var results = await ReadSampleAsync("shapes-batch-with-one-malformed-line.jsonl");
        Assert.Equal([true, true, false, true], results.Select(r => r.Succeeded));
        var error = results[2].Error!;
        Assert.Equal("shapes-batch-with-one-malformed-line.jsonl, line 3", error.Source);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("malformed JSON", error.Message, StringComparison.Ordinal);
        Assert.Equal(["The Red Circle", "Blue Squares", "shapes-batch-with-one-malformed-line"],
            results.Where(r => r.Succeeded).Select(r => r.Manuscript!.Title));
    }

    [Fact]
    public async Task Every_sample_step_is_short_and_names_a_shape_and_a_colour()
    {
        string[] shapes = ["circle", "square", "triangle", "star", "rectangle"];
        string[] colours = ["red", "blue", "green", "yellow", "orange", "purple", "white", "black", "grey", "pink", "brown"];
        foreach (var name in Directory.GetFiles(Path.Combine(RepoPaths.RepoRoot, "samples", "manuscripts")).Select(Path.GetFileName))
        {
            foreach (var result in (await ReadSampleAsync(name!)).Where(r => r.Succeeded))
            {
                foreach (var step in result.Manuscript!.Chapters.SelectMany(c => c.Steps))
                {
                    var text = step.Text.ToLowerInvariant();
                    Assert.True(step.Text.Length <= 100, $"{name}: '{step.Text}' is long for the nano model");
                    Assert.True(shapes.Any(s => text.Contains(s, StringComparison.Ordinal)), $"{name}: '{step.Text}' names no shape");
                    Assert.True(colours.Any(c => text.Contains(c, StringComparison.Ordinal)), $"{name}: '{step.Text}' names no colour");
                }
            }
        }
    }
}
