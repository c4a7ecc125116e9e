using MiniGpt5.Functions.Manuscripts;
using static MiniGpt5.Functions.Tests.Manuscripts.ManuscriptTestInput;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class FrontMatterTests
{
    private static FrontMatter Parse(string yaml) => FrontMatter.Parse(yaml.Split('\n'), firstLine: 2, "fm.md");

    private static ManuscriptException Throws(string yaml) => Assert.Throws<ManuscriptException>(() => Parse(yaml));

    [Fact]
    public void Scalars_get_yaml_core_types()
    {
        var fm = Parse("""
            a: plain text here
            b: 42
            c: -3.5e2
            d: true
            e: FALSE
            f: ~
            g:
            h: "quoted: with \"escapes\" \u00e9 \t end"
            i: 'single ''quoted'' # not a comment'
            j: value # a comment
            k: "42"
            l: http://example.com/x#frag
            """);
        var values = fm.Entries.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal((FrontMatterValueKind.String, "plain text here"), (values["a"].Kind, values["a"].Text));
        Assert.Equal((FrontMatterValueKind.Integer, "42"), (values["b"].Kind, values["b"].Text));
        Assert.Equal(FrontMatterValueKind.Float, values["c"].Kind);
        Assert.Equal(FrontMatterValueKind.Boolean, values["d"].Kind);
        Assert.Equal(FrontMatterValueKind.Boolean, values["e"].Kind);
        Assert.Equal(FrontMatterValueKind.Null, values["f"].Kind);
        Assert.Equal(FrontMatterValueKind.Null, values["g"].Kind);
        Assert.Equal("quoted: with \"escapes\" é \t end", values["h"].Text);
        Assert.True(values["h"].Quoted);
        Assert.Equal("single 'quoted' # not a comment", values["i"].Text);
        Assert.Equal("value", values["j"].Text);
        Assert.Equal((FrontMatterValueKind.String, "42"), (values["k"].Kind, values["k"].Text));
        Assert.Equal("http://example.com/x#frag", values["l"].Text);
        Assert.Equal(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"], fm.Entries.Select(e => e.Key));
    }

    [Fact]
    public void Flow_and_block_lists()
    {
        var fm = Parse("""
            flow: [html, "e,pub", 'md' , 3]
            empty: []
            block:
              - one
              - "two"
            # a comment between items is fine
              - 3
            unindented:
            - x
            - y
            after: z
            """);
        var values = fm.Entries.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(["html", "e,pub", "md", "3"], values["flow"].Items!.Select(i => i.Text));
        Assert.Equal(FrontMatterValueKind.Integer, values["flow"].Items![3].Kind);
        Assert.Empty(values["empty"].Items!);
        Assert.Equal(["one", "two", "3"], values["block"].Items!.Select(i => i.Text));
        Assert.Equal(["x", "y"], values["unindented"].Items!.Select(i => i.Text));
        Assert.Equal("z", values["after"].Text);
    }

    [Theory]
    [InlineData("a: 1\na: 2", 3, "appears twice")]
    [InlineData("a: 1\n  b: 2", 3, "nested mappings")]
    [InlineData("outer:\n  inner: 1", 3, "nested mappings")]
    [InlineData("a: |\n  text", 2, "block scalars")]
    [InlineData("a: >", 2, "block scalars")]
    [InlineData("a: &anchor x", 2, "anchors")]
    [InlineData("a: {b: 1}", 2, "flow mappings")]
    [InlineData("a: [1, [2]]", 2, "nested lists")]
    [InlineData("a: [1, 2", 2, "not closed")]
    [InlineData("a: [1,,2]", 2, "empty list item")]
    [InlineData("a: \"open", 2, "not closed")]
    [InlineData("a: \"bad \\q escape\"", 2, "unknown escape")]
    [InlineData("a: \"x\" trailing", 2, "after the closing quote")]
    [InlineData("a: key: value", 2, "nested mapping")]
    [InlineData("\ta: 1", 2, "tabs")]
    [InlineData("a:\n\t- x", 3, "tabs")]
    [InlineData("just text", 2, "expected 'key: value'")]
    [InlineData("a:1", 2, "a space must follow the colon")]
    [InlineData("\"a\": 1", 2, "quoted keys")]
    [InlineData("- item", 2, "list item")]
    [InlineData("a: 1\n  - item", 3, "list item")]
    public void Unsupported_or_malformed_yaml_fails_with_its_line(string yaml, int line, string fragment)
    {
        var error = Throws(yaml).Error;
        Assert.Equal("fm.md", error.Source);
        Assert.Equal(line, error.Line);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("front matter:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_point_at_the_value()
    {
        var error = Throws("key:   \"open").Error;
        Assert.Equal(8, error.Column);
    }

    [Fact]
    public void Split_finds_the_closing_delimiter_and_body_line()
    {
        var (fm, body, line) = FrontMatter.Split("---\ntitle: X\n...\nBody here.\n", "s.md");
        Assert.Equal("X", fm.Entries.Single().Value.Text);
        Assert.Equal("Body here.\n", body);
        Assert.Equal(4, line);

        var (none, same, first) = FrontMatter.Split("No front matter.\n---\n", "s.md");
        Assert.Empty(none.Entries);
        Assert.Equal("No front matter.\n---\n", same);
        Assert.Equal(1, first);
    }

    [Fact]
    public void Unclosed_front_matter_fails_on_line_one()
    {
        var error = Fails("---\ntitle: X\n\nA red circle.\n");
        Assert.Equal(1, error.Line);
        Assert.Contains("never closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_and_metadata_bind_from_front_matter()
    {
        var manuscript = ReadOne("""
            ---
            title: "Shapes: A Story"
            author: [Ada, Grace]
            lang: pt-BR
            description: Coloured shapes.
            style: flat colours, thick outlines
            steps_per_chapter: 3
            seed: 4294967295
            guidance-scale: 6.5
            sampler: DPM-Solver++
            inferenceSteps: 25
            image_size: 256x320
            formats:
              - html
              - Markdown
              - html
            review: yes
            tags: [ignored, metadata]
            ---
            A red circle.
            """);
        Assert.Equal("Shapes: A Story", manuscript.Title);
        Assert.Equal("Ada, Grace", manuscript.Author);
        Assert.Equal("pt-BR", manuscript.Language);
        Assert.Equal("Coloured shapes.", manuscript.Description);
        var o = manuscript.Options;
        Assert.Equal("flat colours, thick outlines", o.Style);
        Assert.Equal(3, o.MaxStepsPerChapter);
        Assert.Equal(uint.MaxValue, o.Seed);
        Assert.Equal(6.5, o.GuidanceScale);
        Assert.Equal("dpmsolver++", o.Scheduler);
        Assert.Equal(25, o.InferenceSteps);
        Assert.Equal((256, 320), (o.ImageWidth, o.ImageHeight));
        Assert.Equal([BookFormat.Html, BookFormat.Markdown], o.Formats!);
        Assert.True(o.ReviewGate);
    }

    [Theory]
    [InlineData("guidance: high", "must be a number")]
    [InlineData("guidance: 51", "from 0 to 50")]
    [InlineData("seed: -1", "whole number from 0 to 4294967295")]
    [InlineData("seed: 1.5", "whole number")]
    [InlineData("steps_per_chapter: 0", "from 1 to 200")]
    [InlineData("sampler: warp-drive", "not known")]
    [InlineData("image_size: 500", "multiple of 8")]
    [InlineData("image_size: big", "a size like 512")]
    [InlineData("width: 4096", "between 64 and 2048")]
    [InlineData("formats: [pdf]", "unknown format 'pdf'")]
    [InlineData("formats: []", "at least one")]
    [InlineData("review: maybe", "true or false")]
    [InlineData("language: english please", "BCP 47")]
    [InlineData("guidence: 7", "unknown key 'guidence'")]
    [InlineData("title: [a, b]", "must be text, not a list")]
    public void Bad_option_values_fail_naming_the_key_and_line(string line, string fragment)
    {
        var error = Fails($"---\ndescription: d\n{line}\n---\nA red circle.\n");
        Assert.Equal(3, error.Line);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aliases_of_one_option_conflict()
    {
        var error = Fails("---\nguidance: 7\ncfg: 8\n---\nA red circle.\n");
        Assert.Contains("'cfg' sets the same option as 'guidance' on line 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Image_size_and_width_conflict()
    {
        var error = Fails("---\nimage_size: 512\nwidth: 256\n---\nA red circle.\n");
        Assert.Contains("not both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_front_matter_has_nothing_to_illustrate()
    {
        var error = Fails("---\ntitle: Empty\n---\n");
        Assert.Contains("nothing to illustrate", error.Message, StringComparison.Ordinal);
        Assert.Equal("story.md", error.Source);
    }
}
