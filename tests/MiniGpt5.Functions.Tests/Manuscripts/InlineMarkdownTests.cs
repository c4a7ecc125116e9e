using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class InlineMarkdownTests
{
    [Theory]
    [InlineData("*a*", "em(a)")]
    [InlineData("**a**", "strong(a)")]
    [InlineData("***a***", "em(strong(a))")]
    [InlineData("_a_ b", "em(a) b")]
    [InlineData("snake_case_name", "snake_case_name")]
    [InlineData("* not emphasis *", "* not emphasis *")]
    [InlineData("*foo**bar*", "em(foo**bar)")]
    [InlineData("**a *b* c**", "strong(a em(b) c)")]
    [InlineData("*unclosed", "*unclosed")]
    [InlineData("2 * 3 * 4", "2 * 3 * 4")]
    [InlineData("\\*escaped\\*", "*escaped*")]
    [InlineData("`*code*`", "code(*code*)")]
    [InlineData("`` a ` b ``", "code(a ` b)")]
    [InlineData("`unclosed", "`unclosed")]
    [InlineData("[a *b*](https://x.test \"T\")", "link(https://x.test|T|a em(b))")]
    [InlineData("![alt *text*](p.png)", "img(p.png|alt text)")]
    [InlineData("[not a link]", "[not a link]")]
    [InlineData("[a [b](c) *[d](e)*](f)", "link(f||a b em(d))")]
    [InlineData("[a](<url with spaces>)", "link(url with spaces||a)")]
    [InlineData("[a](u(1))", "link(u(1)||a)")]
    [InlineData("<https://x.test/a>", "link(https://x.test/a||https://x.test/a)")]
    [InlineData("<me@x.test>", "link(mailto:me@x.test||me@x.test)")]
    [InlineData("<b>bold</b>", "<b>bold</b>")]
    [InlineData("line  \nbreak", "line|br|break")]
    [InlineData("line\\\nbreak", "line|br|break")]
    [InlineData("soft\nbreak", "soft break")]
    public void Parses_like_commonmark(string markdown, string expected) =>
        Assert.Equal(expected, Show(InlineMarkdown.Parse(markdown)));

    [Fact]
    public void Plain_text_keeps_words_and_alt_text()
    {
        Assert.Equal("A big red ball and link", InlineMarkdown.PlainText("A **big** ![red ball](x.png) and [link](y)"));
    }

    [Fact]
    public void Too_many_delimiters_stay_literal()
    {
        var text = string.Concat(Enumerable.Repeat("*a* ", InlineMarkdown.MaxDelimiters));
        Assert.Equal(text.TrimEnd(), Show(InlineMarkdown.Parse(text.TrimEnd())));
    }

    private static string Show(IReadOnlyList<InlineNode> nodes) => string.Concat(nodes.Select(Show));

    private static string Show(InlineNode node) => node switch
    {
        TextNode t => t.Text,
        EmphasisNode { Strong: true } e => $"strong({Show(e.Children)})",
        EmphasisNode e => $"em({Show(e.Children)})",
        CodeNode c => $"code({c.Text})",
        LinkNode l => $"link({l.Url}|{l.Title}|{Show(l.Children)})",
        ImageNode i => $"img({i.Url}|{i.Alt})",
        LineBreakNode => "|br|",
        _ => throw new InvalidOperationException(),
    };
}
