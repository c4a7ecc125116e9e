using MiniGpt5.Functions.Manuscripts;
using static MiniGpt5.Functions.Tests.Manuscripts.ManuscriptTestInput;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class PlainTextManuscriptTests
{
    [Fact]
    public void Chapter_lines_and_a_capitals_title()
    {
        var m = ReadOne("""
            THE SHAPES BOOK

            Chapter 1

            A big red circle
            sits on the left.

            A small blue square.

            CHAPTER II: The Night

            Three yellow stars.
            """, "book.txt");
        Assert.Equal(ManuscriptFormat.PlainText, m.Format);
        Assert.Equal("THE SHAPES BOOK", m.Title);
        Assert.Equal(["Chapter 1", "CHAPTER II: The Night"], m.Chapters.Select(c => c.Title));
        Assert.Equal([["A big red circle sits on the left.", "A small blue square."], ["Three yellow stars."]], Texts(m));
        Assert.False(m.Chapters[0].Steps[0].Blocks[0].Markdown);
        Assert.Equal("A big red circle\nsits on the left.", m.Chapters[0].Steps[0].Blocks[0].Content);
        Assert.Equal(5, m.Chapters[0].Steps[0].Line);
    }

    [Fact]
    public void No_headings_is_one_untitled_chapter_titled_by_file_name()
    {
        var m = ReadOne("A red circle.\n\nA blue square. With *stars*.\n", "shapes/my-story.txt");
        Assert.Equal("my-story", m.Title);
        Assert.Null(Assert.Single(m.Chapters).Title);
        Assert.Equal("A blue square. With *stars*.", m.Chapters[0].Steps[1].Text);
    }

    [Fact]
    public void Capitals_headings_are_chapters_when_text_follows_the_first()
    {
        var m = ReadOne("MORNING\n\nA red circle.\n\nNIGHT\n\nA dark square.\n", "s.txt");
        Assert.Equal("s", m.Title);
        Assert.Equal(["MORNING", "NIGHT"], m.Chapters.Select(c => c.Title));
    }

    [Fact]
    public void A_single_capitals_line_on_top_is_the_title()
    {
        var m = ReadOne("RED AND BLUE\n\nA red circle.\n\nA blue square.\n", "s.txt");
        Assert.Equal("RED AND BLUE", m.Title);
        Assert.Single(m.Chapters);
    }

    [Fact]
    public void Chapter_line_with_a_title_line_below()
    {
        var m = ReadOne("Chapter 3\nThe Green Star\n\nA green star.\n", "s.txt");
        Assert.Equal("Chapter 3: The Green Star", Assert.Single(m.Chapters).Title);
    }

    [Theory]
    [InlineData("Part two of the story was blue.")]
    [InlineData("Chapter 1 ended with a small red dot in the corner of the page, and that was all.")]
    public void Sentences_that_start_like_headings_stay_text(string line)
    {
        var m = ReadOne($"{line}\n\nA red circle.\n", "s.txt");
        Assert.Equal(line, m.Chapters[0].Steps[0].Text);
    }

    [Fact]
    public void Empty_chapters_warn_and_tabs_collapse()
    {
        var m = ReadOne("Chapter 1\n\nChapter 2\n\n\tA red\t\tcircle.\t\n", "s.txt");
        Assert.Equal(["Chapter 2"], m.Chapters.Select(c => c.Title));
        Assert.Contains("'Chapter 1'", Assert.Single(m.Warnings), StringComparison.Ordinal);
        Assert.Equal("A red circle.", m.Chapters[0].Steps[0].Text);
    }

    [Fact]
    public void Only_headings_has_nothing_to_illustrate()
    {
        var error = Fails("CHAPTER 1\n\nCHAPTER 2\n", "s.txt");
        Assert.Contains("nothing to illustrate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_text_is_detected_without_an_extension()
    {
        var m = Assert.Single(Read("A red circle.\n\nA blue square.\n", "upload.bin")).Manuscript!;
        Assert.Equal(ManuscriptFormat.PlainText, m.Format);
    }
}
