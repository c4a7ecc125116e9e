using MiniGpt5.Functions.Manuscripts;
using static MiniGpt5.Functions.Tests.Manuscripts.ManuscriptTestInput;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class MarkdownManuscriptTests
{
    [Fact]
    public void Single_h1_is_the_title_and_h2s_are_chapters()
    {
        var m = ReadOne("""
            # Shapes at Play

            ## Morning

            A big red circle sits on the left.

            A small blue square appears beside it.

            ## Night

            Three yellow stars on a dark blue background.
            """);
        Assert.Equal("Shapes at Play", m.Title);
        Assert.Equal(["Morning", "Night"], m.Chapters.Select(c => c.Title));
        Assert.Equal([["A big red circle sits on the left.", "A small blue square appears beside it."],
            ["Three yellow stars on a dark blue background."]], Texts(m));
        Assert.Equal(ManuscriptFormat.Markdown, m.Format);
        Assert.Equal(5, m.Chapters[0].Steps[0].Line);
        Assert.Equal(3, m.Chapters[0].Line);
        Assert.Empty(m.Warnings);
    }

    [Fact]
    public void Several_h1s_are_chapters_and_deeper_headings_are_sub_headings()
    {
        var m = ReadOne("""
            # One
            A red circle.
            ## Scene
            A green square.
            # Two
            A blue triangle.
            """);
        Assert.Equal("story", m.Title);
        Assert.Equal(["One", "Two"], m.Chapters.Select(c => c.Title));
        var scene = m.Chapters[0].Steps[1];
        Assert.Equal("A green square.", scene.Text);
        Assert.Equal([StepBlockKind.Heading, StepBlockKind.Paragraph], scene.Blocks.Select(b => b.Kind));
        Assert.Equal("Scene", scene.Blocks[0].Content);
    }

    [Fact]
    public void Front_matter_title_wins_over_the_h1_but_the_h1_is_still_not_a_chapter()
    {
        var m = ReadOne("---\ntitle: From Front Matter\n---\n# From Heading\n\n## A\n\nA red circle.\n");
        Assert.Equal("From Front Matter", m.Title);
        Assert.Equal(["A"], m.Chapters.Select(c => c.Title));
    }

    [Fact]
    public void Text_before_the_first_chapter_is_an_untitled_chapter()
    {
        var m = ReadOne("# Book\n\nAn orange circle rises.\n\n## First\n\nA red square.\n");
        Assert.Equal([null, "First"], m.Chapters.Select(c => c.Title));
        Assert.Equal("An orange circle rises.", m.Chapters[0].Steps[0].Text);
    }

    [Fact]
    public void Headings_without_text_make_untitled_chapters()
    {
        var m = ReadOne("#\nA red circle.\n\n# \nA blue square.\n\n##   ##\nA green star.\n");
        Assert.Equal([null, null], m.Chapters.Select(c => c.Title));
        Assert.Equal([["A red circle."], ["A blue square.", "A green star."]], Texts(m));
        Assert.Equal(StepBlockKind.Heading, m.Chapters[1].Steps[1].Blocks[0].Kind);
    }

    [Fact]
    public void Empty_chapters_are_left_out_with_a_warning()
    {
        var m = ReadOne("# Book\n\n## Empty\n\n## Full\n\nA red circle.\n\n## Also empty\n");
        Assert.Equal(["Full"], m.Chapters.Select(c => c.Title));
        Assert.Equal(2, m.Warnings.Count);
        Assert.Contains("'Empty' (line 3) has no text", m.Warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Headings_only_has_nothing_to_illustrate()
    {
        var error = Fails("# A\n## B\n## C\n");
        Assert.Contains("nothing to illustrate", error.Message, StringComparison.Ordinal);
        Assert.Contains("'B'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thematic_breaks_group_paragraphs_into_steps_in_that_chapter_only()
    {
        var m = ReadOne("""
            # Book

            ## Grouped

            A red circle.

            It is big.

            ---

            A blue square.

            * * *

            ___

            A green star.

            ## Paragraphs

            One.

            Two.
            """);
        Assert.Equal([["A red circle. It is big.", "A blue square.", "A green star."], ["One.", "Two."]], Texts(m));
        Assert.Equal(2, m.Chapters[0].Steps[0].Blocks.Count);
    }

    [Fact]
    public void A_dash_line_right_under_text_is_a_setext_heading_as_in_commonmark()
    {
        var m = ReadOne("The Book\n========\n\nChapter A\n---\nA red circle.\n\nChapter B\n-\n\nA blue square.\n");
        Assert.Equal("The Book", m.Title);
        Assert.Equal(["Chapter A", "Chapter B"], m.Chapters.Select(c => c.Title));
    }

    [Fact]
    public void Images_links_and_emphasis_are_plain_for_the_model_and_kept_for_the_book()
    {
        var m = ReadOne("A **big** _red_ circle ![a red ball](https://x.test/ball.png) near [the `square`](https://x.test \"t\").\n");
        var step = m.Chapters[0].Steps[0];
        Assert.Equal("A big red circle a red ball near the square.", step.Text);
        Assert.Equal("A **big** _red_ circle ![a red ball](https://x.test/ball.png) near [the `square`](https://x.test \"t\").", step.Blocks[0].Content);
        Assert.True(step.Blocks[0].Markdown);
    }

    [Fact]
    public void Lists_quotes_fences_and_comments()
    {
        var m = ReadOne("""
            - A red circle
              on the left.
            - A blue square.
            1. A green star.

            > A quoted
            > yellow triangle.

            <!-- a note for the editor,
                 over two lines -->
            <!-- one line -->

            ```text
            A literal *code* block.
            ```
            """);
        Assert.Equal([["A red circle on the left.", "A blue square.", "A green star.", "A quoted yellow triangle.", "A literal *code* block."]], Texts(m));
        Assert.Equal(StepBlockKind.Code, m.Chapters[0].Steps[4].Blocks[0].Kind);
    }

    [Fact]
    public void Tabs_and_indentation_are_prose_not_code()
    {
        var m = ReadOne("\tA red circle\tsits.\n\n        A blue square.\n");
        Assert.Equal([["A red circle sits.", "A blue square."]], Texts(m));
    }

    [Fact]
    public void Unicode_is_kept()
    {
        var m = ReadOne("# Formes 🎨\n\nUn grand cercle rouge à gauche — très joli. 三角形。\n");
        Assert.Equal("Formes 🎨", m.Title);
        Assert.Equal("Un grand cercle rouge à gauche — très joli. 三角形。", m.Chapters[0].Steps[0].Text);
    }

    [Fact]
    public void Steps_with_only_an_image_without_alt_are_left_out_with_a_warning()
    {
        var m = ReadOne("A red circle.\n\n![](pic.png)\n");
        Assert.Single(m.Chapters[0].Steps);
        Assert.Contains("line 3", Assert.Single(m.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Unclosed_fence_and_comment_warn()
    {
        var fence = ReadOne("A red circle.\n\n```\ncode\n");
        Assert.Contains("never closed", Assert.Single(fence.Warnings), StringComparison.Ordinal);
        var comment = ReadOne("A red circle.\n\n<!-- open\nA blue square.\n");
        Assert.Contains("never closed", Assert.Single(comment.Warnings), StringComparison.Ordinal);
        Assert.Single(comment.Chapters[0].Steps);
    }

    [Fact]
    public void A_huge_line_parses_quickly()
    {
        var line = string.Concat(Enumerable.Repeat("A *red* [circle ", 40_000)) + string.Concat(Enumerable.Repeat("`x ", 10_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var m = ReadOne(line);
        watch.Stop();
        Assert.StartsWith("A *red* [circle A", m.Chapters[0].Steps[0].Text, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Detected_as_markdown_without_an_extension()
    {
        var m = Assert.Single(Read("# Title\n\nA red circle.\n", "upload")).Manuscript!;
        Assert.Equal(ManuscriptFormat.Markdown, m.Format);
        Assert.Equal("Title", m.Title);
    }
}
