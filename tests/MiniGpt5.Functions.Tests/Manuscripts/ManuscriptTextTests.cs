using System.Text;
using MiniGpt5.Functions.Manuscripts;
using static MiniGpt5.Functions.Tests.Manuscripts.ManuscriptTestInput;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class ManuscriptTextTests
{
    [Fact]
    public void Empty_input_fails_naming_the_source()
    {
        var results = Reader.Read("empty.md", []);
        var error = Assert.Single(results).Error!;
        Assert.Equal("empty.md", error.Source);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("   \n\t\n  ")]
    [InlineData("\uFEFF")]
    public void Whitespace_only_or_bom_only_is_empty(string text)
    {
        var error = Fails(text, "blank.txt");
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nul_byte_is_binary_with_its_line_and_column()
    {
        var bytes = Encoding.UTF8.GetBytes("# Title\n\nab\0cd\n");
        var error = Assert.Single(Reader.Read("image.md", bytes)).Error!;
        Assert.Contains("binary", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
        Assert.Equal(3, error.Column);
    }

    [Fact]
    public void Png_bytes_are_refused_as_binary()
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        var error = Assert.Single(Reader.Read("picture.txt", png)).Error!;
        Assert.Contains("binary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_names_the_byte_offset_and_position()
    {
        byte[] bytes = [.. "Line one\nA red ç"u8, 0xC3, 0x28, .. " circle\n"u8];
        var error = Assert.Single(Reader.Read("latin1.txt", bytes)).Error!;
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Contains("C328", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.Equal(8, error.Column); // "A red ç" is 7 characters (8 bytes): the bad byte is the 8th character.
    }

    [Fact]
    public void Utf16_is_refused_with_advice()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("A red circle.")).ToArray();
        var error = Assert.Single(Reader.Read("story.txt", bytes)).Error!;
        Assert.Contains("UTF-16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Over_the_size_limit_fails_before_parsing()
    {
        var reader = new ManuscriptReader(new ManuscriptReaderSettings { MaxManuscriptBytes = 100 });
        var text = new string('a', 101);
        var error = Assert.Single(reader.Read("big.md", Encoding.UTF8.GetBytes(text))).Error!;
        Assert.Contains("over the 100 bytes limit", error.Message, StringComparison.Ordinal);
        Assert.True(Assert.Single(reader.Read("fits.md", Encoding.UTF8.GetBytes(text[..100]))).Succeeded);
    }

    [Fact]
    public void Default_limit_is_one_mebibyte()
    {
        Assert.Equal(1024 * 1024, ManuscriptReaderSettings.Default.MaxManuscriptBytes);
        var text = "A red circle. " + new string('x', 1024 * 1024);
        var error = Fails(text, "big.txt");
        Assert.Contains("1 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crlf_bom_and_lone_cr_read_like_lf()
    {
        var lf = ReadOne("# Book\n\n## One\n\nA red circle.\nOn blue.\n\nA green square.\n");
        var crlf = ReadOne("\uFEFF# Book\r\n\r\n## One\r\n\r\nA red circle.\r\nOn blue.\r\n\r\nA green square.\r\n");
        var cr = ReadOne("# Book\r\r## One\r\rA red circle.\rOn blue.\r\rA green square.\r");
        Assert.Equal(Texts(lf), Texts(crlf));
        Assert.Equal(Texts(lf), Texts(cr));
        Assert.Equal("Book", crlf.Title);
        Assert.Equal([["A red circle. On blue.", "A green square."]], Texts(crlf));
    }

    [Fact]
    public void Control_characters_become_spaces()
    {
        var manuscript = ReadOne("A red\u0007circle\u001b on blue.\fA square.", "s.txt");
        Assert.Equal("A red circle on blue. A square.", manuscript.Chapters[0].Steps[0].Text);
    }

    [Fact]
    public async Task Read_file_async_uses_the_file_name_and_refuses_missing_files()
    {
        var dir = Directory.CreateTempSubdirectory("minigpt5-manuscripts-");
        try
        {
            var path = Path.Combine(dir.FullName, "shapes.md");
            await File.WriteAllTextAsync(path, "A red circle.\n");
            var result = Assert.Single(await Reader.ReadFileAsync(path));
            Assert.Equal("shapes.md", result.Manuscript!.SourceName);
            var missing = Assert.Single(await Reader.ReadFileAsync(Path.Combine(dir.FullName, "nope.md")));
            Assert.Contains("does not exist", missing.Error!.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
