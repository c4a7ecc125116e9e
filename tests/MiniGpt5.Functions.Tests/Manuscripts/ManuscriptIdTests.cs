using System.Text;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Tests.Manuscripts;

public sealed class ManuscriptIdTests
{
    // Expected hashes from Python:
    // hashlib.sha256(f"minigpt5/manuscript-id/v1\n{name}\n{version}\n{item_key or ''}".encode()).hexdigest()[:16]
    [Fact]
    public void Blob_ids_are_name_plus_etag_and_ignore_quotes()
    {
        var id = ManuscriptId.ForBlob("manuscripts/the-red-circle.md", "0x8DC1234567890AB");
        Assert.Equal("the-red-circle-d48569acca93f546", id);
        Assert.Equal(id, ManuscriptId.ForBlob("manuscripts/the-red-circle.md", "\"0x8DC1234567890AB\""));
        Assert.NotEqual(id, ManuscriptId.ForBlob("manuscripts/the-red-circle.md", "0x8DC1234567890AC"));
        Assert.NotEqual(id, ManuscriptId.ForBlob("manuscripts/other/the-red-circle.md", "0x8DC1234567890AB"));
        Assert.True(ManuscriptId.IsValid(id));
    }

    [Fact]
    public void Content_ids_are_name_plus_sha256_and_item_key()
    {
        var content = Encoding.UTF8.GetBytes("# Hello\n\nA red circle.\n");
        Assert.Equal("story-e2042f1bbc62b42d", ManuscriptId.ForContent("story.md", content));
        Assert.Equal("batch-line-3-79c2f5b7bb19c261", ManuscriptId.ForContent("batch.jsonl", content, "line-3"));
        Assert.NotEqual(ManuscriptId.ForContent("story.md", content), ManuscriptId.ForContent("story.md", [.. content, (byte)' ']));
    }

    [Theory]
    [InlineData("Été à Paris!!.md", "t-paris-")]
    [InlineData("日本.md", "manuscript-")]
    [InlineData("a-very-long-name-that-goes-on-and-on-and-on-forever-and-ever.txt", "a-very-long-name-that-goes-on-and-on-and-")]
    public void Slugs_are_short_lowercase_ascii(string name, string prefix)
    {
        var id = ManuscriptId.ForContent(name, "x"u8);
        Assert.StartsWith(prefix, id, StringComparison.Ordinal);
        Assert.True(ManuscriptId.IsValid(id), id);
        Assert.True(id.Length <= 57, id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Upper-0123456789abcdef")]
    [InlineData("name-0123456789abcde")]
    [InlineData("../x-0123456789abcdef")]
    public void Invalid_ids_are_refused(string? id) => Assert.False(ManuscriptId.IsValid(id));
}
