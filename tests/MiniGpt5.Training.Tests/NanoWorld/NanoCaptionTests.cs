using System.Text.Json;
using System.Text.RegularExpressions;
using MiniGpt5.Testing;
using MiniGpt5.Training.NanoWorld;

namespace MiniGpt5.Training.Tests.NanoWorld;

public sealed partial class NanoCaptionTests
{
    [Fact]
    public void Every_style_of_thousands_of_random_scenes_parses_back_to_the_scene()
    {
        var random = new NanoRandom(11);
        for (var i = 0; i < 3000; i++)
        {
            var scene = NanoSceneSampler.Sample(random);
            var style = NanoCaptionStyle.Sample(random);
            var caption = NanoCaptionWriter.Write(scene, style);
            Assert.True(NanoCaptionParser.TryParse(caption, out var parsed, out var problem), $"{caption}: {problem}");
            Assert.Equal(scene, parsed);

            // What MiniGPT-5's CC3M loader feeds the model, and a story step with a connective.
            Assert.Equal(scene, NanoCaptionParser.Parse(PreCaption(caption)));
            Assert.Equal(scene, NanoCaptionParser.Parse("Then, suddenly, " + caption.ToUpperInvariant()));
        }
    }

    [Fact]
    public void Every_template_variant_and_group_layout_round_trips()
    {
        // Three identical objects (one group of three), two groups, all cells over the loop.
        var random = new NanoRandom(12);
        for (var i = 0; i < 200; i++)
        {
            var cells = NanoSceneSampler.DistinctCells(random, 3);
            var looks = NanoSceneSampler.RandomObject(random, cells[0]);
            var scenes = new[]
            {
                new NanoScene(BackgroundColor.PaleYellow, cells.Select(c => looks with { Cell = c })),
                new NanoScene(BackgroundColor.White, [looks, looks with { Cell = cells[1] }, NanoSceneSampler.RandomObject(random, cells[2])]),
            };
            foreach (var scene in scenes)
            {
                for (var template = 0; template < NanoCaptionStyle.TemplateCount; template++)
                {
                    foreach (var (synonyms, variant, oneByOne) in new[] { (false, 0, false), (true, 1, true), (false, 1, true), (true, 0, false) })
                    {
                        var caption = NanoCaptionWriter.Write(scene, new NanoCaptionStyle(template, synonyms, variant, oneByOne));
                        Assert.Equal(scene, NanoCaptionParser.Parse(caption));
                    }
                }
            }
        }
    }

    [Fact]
    public void Canonical_captions_read_as_documented()
    {
        var scene = new NanoScene(BackgroundColor.PalePink, [
            new NanoObject(ShapeKind.Circle, ShapeColor.Red, ShapeSize.Big, new GridCell(GridRow.Middle, GridColumn.Left)),
            new NanoObject(ShapeKind.Square, ShapeColor.Green, ShapeSize.Small, new GridCell(GridRow.Top, GridColumn.Right)),
            new NanoObject(ShapeKind.Square, ShapeColor.Green, ShapeSize.Small, new GridCell(GridRow.Bottom, GridColumn.Center)),
        ]);
        Assert.Equal(
            "two small green squares at the top right and at the bottom and a big red circle on the left on a pale pink background.",
            NanoCaptionWriter.WriteCanonical(scene));
        Assert.Equal(
            "on a pale pink background, there are two little green squares, one in the top right corner and one at the bottom center and a large red circle on the left side.",
            NanoCaptionWriter.Write(scene, new NanoCaptionStyle(1, true, 1, true)));
        Assert.Equal("pale-pink|small-green-square@2;big-red-circle@3;small-green-square@7", scene.Key);
    }

    [Fact]
    public void Captions_match_the_independent_python_writer()
    {
        var samples = JsonDocument.Parse(File.ReadAllText(RepoPaths.GoldenFile("nanoworld", "samples.json"))).RootElement;
        foreach (var split in samples.GetProperty("captions").EnumerateObject())
        {
            var expected = split.Value.EnumerateArray().Select(r => (r[0].GetInt64(), r[1].GetString(), r[2].GetString())).ToList();
            var actual = NanoDatasetSampler.Captions(0, NanoSplits.Parse(split.Name)).Take(expected.Count)
                .Select(s => (s.Candidate, (string?)s.Scene.Key, (string?)s.Caption)).ToList();
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData("a big red circle on the left.", "no background colour")]
    [InlineData("a big red circle on the left on a white and pale blue background.", "several background colours")]
    [InlineData("a big red circle on the left, all white.", "never the word 'background'")]
    [InlineData("a red circle on the left on a white background.", "is not COUNT SIZE COLOUR circle")]
    [InlineData("a big pink circle on the left on a white background.", "is not COUNT SIZE COLOUR circle")]
    [InlineData("two big red circle on the left and on the right on a white background.", "count and the noun disagree")]
    [InlineData("a big red circles on the left on a white background.", "count and the noun disagree")]
    [InlineData("two big red circles on the left on a white background.", "given 1 place(s) for 2 object(s)")]
    [InlineData("a big red circle on a white background.", "given 0 place(s) for 1 object(s)")]
    [InlineData("a big red circle on the left and a small blue square on the left on a white background.", "two objects are placed on the left")]
    [InlineData("three big red circles at the top left, at the top and at the top right and a small blue square at the bottom on a white background.", "at most 3")]
    [InlineData("at the top there is a big red circle on a white background.", "comes before any object")]
    [InlineData("a big red circle at the left right on a white background.", "not a place on the 3x3 grid")]
    [InlineData("on a white background.", "no object")]
    [InlineData("", "no background colour")]
    public void Malformed_text_is_refused_with_the_reason(string text, string reason)
    {
        var error = Assert.Throws<NanoCaptionException>(() => NanoCaptionParser.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        Assert.False(NanoCaptionParser.TryParse(text, out var scene, out var problem));
        Assert.Null(scene);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Spelling_variants_outside_the_writer_are_read()
    {
        var expected = new NanoScene(BackgroundColor.PaleBlue, [
            new NanoObject(ShapeKind.Triangle, ShapeColor.Black, ShapeSize.Small, new GridCell(GridRow.Top, GridColumn.Left)),
            new NanoObject(ShapeKind.Rectangle, ShapeColor.Orange, ShapeSize.Big, new GridCell(GridRow.Middle, GridColumn.Center)),
        ]);
        Assert.Equal(expected, NanoCaptionParser.Parse("Suddenly: 1 tiny black triangle in the upper-left, and one LARGE orange rectangle in the centre; light blue background!"));
    }

    // MiniGPT-5 dataloader.py pre_caption: lower-case, blank out .!"()*#:;~, collapse spaces, strip.
    private static string PreCaption(string caption) =>
        MultipleSpaces().Replace(Punctuation().Replace(caption.ToLowerInvariant(), " "), " ").Trim(' ');

    [GeneratedRegex("[.!\"()*#:;~]")]
    private static partial Regex Punctuation();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex MultipleSpaces();
}
