using MiniGpt5.Functions.Manuscripts;
using static MiniGpt5.Functions.Tests.Manuscripts.ManuscriptTestInput;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class StoryJsonManuscriptTests
{
    [Fact]
    public void Vist_story_map_gives_one_manuscript_per_story_in_sequence_order()
    {
        var results = Read("""
            {
              "45530": [
                {"caption": "a blue square appears .", "image_id": "2", "sequence_index": 1, "album_id": "x"},
                {"caption": "a red circle sits on the left .", "image_id": "1", "sequence_index": 0},
                {"caption": "three stars shine .", "image_id": 3, "sequence_index": "2"}
              ],
              "45531": [
                {"caption": "a green triangle .", "image_id": "9", "sequence_index": 0}
              ]
            }
            """, "val_cleaned.json");
        Assert.Equal(2, results.Count);
        var first = results[0].Manuscript!;
        Assert.Equal("Story 45530", first.Title);
        Assert.Equal("story-45530", first.ItemKey);
        Assert.Equal("val_cleaned.json, story 45530", first.Source);
        Assert.Equal([["a red circle sits on the left .", "a blue square appears .", "three stars shine ."]], Texts(first));
        Assert.Equal(ManuscriptFormat.StoryJson, first.Format);
        Assert.Equal("story-45531", results[1].ItemKey);
    }

    [Fact]
    public void A_bad_story_fails_alone_with_its_path()
    {
        var results = Read("""
            {
              "good": [{"caption": "a red circle .", "sequence_index": 0}],
              "dup": [{"caption": "a", "sequence_index": 0}, {"caption": "b", "sequence_index": 0}],
              "nocaption": [{"sequence_index": 0}],
              "empty": []
            }
            """, "stories.json");
        Assert.Equal(4, results.Count);
        Assert.True(results[0].Succeeded);
        Assert.Equal("stories.json, story dup", results[1].Error!.Source);
        Assert.Contains("sequence_index 0 appears twice", results[1].Error!.Message, StringComparison.Ordinal);
        Assert.Equal("$['dup'][1].sequence_index", results[1].Error!.Path);
        Assert.Equal("$['nocaption'][0]", results[2].Error!.Path);
        Assert.Contains("no \"caption\"", results[2].Error!.Message, StringComparison.Ordinal);
        Assert.Contains("no steps", results[3].Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Simple_steps_shape_with_metadata_and_options()
    {
        var m = Assert.Single(Read("""
            {"title": "Shapes", "author": "Ada", "language": "en-GB",
             "options": {"seed": 7, "guidance_scale": 5, "formats": ["epub"]},
             "steps": ["A red circle.", {"text": "A blue\nsquare."}, {"caption": "A star."}]}
            """, "s.json")).Manuscript!;
        Assert.Equal(("Shapes", "Ada", "en-GB"), (m.Title, m.Author, m.Language));
        Assert.Equal(7u, m.Options.Seed);
        Assert.Equal(5.0, m.Options.GuidanceScale);
        Assert.Equal([BookFormat.Epub], m.Options.Formats!);
        Assert.Equal([["A red circle.", "A blue square.", "A star."]], Texts(m));
    }

    [Fact]
    public void Chapters_shape()
    {
        var m = Assert.Single(Read("""
            {"title": "T", "chapters": [
              {"title": "One", "steps": ["A red circle."]},
              {"title": "Empty", "steps": []},
              {"steps": ["A blue square."]}
            ]}
            """, "s.json")).Manuscript!;
        Assert.Equal(["One", null], m.Chapters.Select(c => c.Title));
        Assert.Contains("$.chapters[1]", Assert.Single(m.Warnings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"title": "T", "steps": [1]}""", "$.steps[0]", "must be a string")]
    [InlineData("""{"title": "T", "steps": ["  "]}""", "$.steps[0]", "empty")]
    [InlineData("""{"title": "T", "steps": "x"}""", "$.steps", "must be a list")]
    [InlineData("""{"title": "T", "steps": [], "chapters": []}""", "$", "only one of")]
    [InlineData("""{"title": "T", "color": "red", "steps": ["a"]}""", "$.color", "unknown key 'color'")]
    [InlineData("""{"options": {"seed": "abc"}, "steps": ["a"]}""", "$.options.seed", "whole number")]
    [InlineData("""{"options": {"style": {"a": 1}}, "steps": ["a"]}""", "$.options.style", "not an object")]
    [InlineData("""{"options": 3, "steps": ["a"]}""", "$.options", "must be an object")]
    [InlineData("""{"chapters": [{"title": "x", "pages": []}]}""", "$.chapters[0].pages", "unknown chapter key")]
    [InlineData("""{"a": 1}""", "$", "neither a story map")]
    [InlineData("""{}""", "$", "empty")]
    [InlineData("""[1, 2]""", "$", "expected a JSON object")]
    public void Shape_errors_name_the_json_path(string json, string path, string fragment)
    {
        var error = Fails(json, "s.json");
        Assert.Equal(path, error.Path);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_line_and_character_column()
    {
        var error = Fails("{\n  \"title\": \"é\",\n  \"steps\": [\"a\",]\n}", "s.json");
        Assert.StartsWith("malformed JSON", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
        Assert.Equal(17, error.Column);
        Assert.DoesNotContain("BytePositionInLine", error.Message, StringComparison.Ordinal);
        Assert.Equal($"s.json, line 3, column 17: {error.Message}", error.ToString());
    }

    [Fact]
    public void Duplicate_keys_are_malformed()
    {
        var error = Fails("""{"title": "a", "title": "b", "steps": ["x"]}""", "s.json");
        Assert.StartsWith("malformed JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrapped_markdown_text_with_outer_metadata_winning()
    {
        var m = Assert.Single(Read("""
            {"format": "markdown", "name": "wrapped.md", "title": "Outer", "options": {"seed": 3},
             "text": "---\ntitle: Inner\nseed: 9\nstyle: crayon\n---\n# H\n\nA red circle."}
            """, "w.json")).Manuscript!;
        Assert.Equal("Outer", m.Title);
        Assert.Equal(3u, m.Options.Seed);
        Assert.Equal("crayon", m.Options.Style);
        Assert.Equal(ManuscriptFormat.Markdown, m.Format);
    }
}
