namespace MiniGpt5.Imaging.Tests;

public sealed class RefusalTests
{
    public static TheoryData<string> Cases => Golden.Names("refuse", "input");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Unsupported_files_are_refused_by_name(string input)
    {
        var c = Golden.Case("refuse", "input", input);
        var e = Assert.Throws<ImageFormatException>(() => ImageCodec.Decode(Golden.Bytes(input), sourceName: input));
        Assert.Equal(Enum.Parse<ImageFormat>(c.GetProperty("format").GetString()!), e.Format);
        Assert.Contains(c.GetProperty("message").GetString()!, e.Message, StringComparison.Ordinal);
        Assert.Contains(input, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_and_unknown_data_are_refused()
    {
        Assert.Contains("empty", Assert.Throws<ImageFormatException>(() => ImageCodec.Decode([])).Message, StringComparison.Ordinal);
        Assert.Contains("unrecognised", Assert.Throws<ImageFormatException>(() => ImageCodec.Decode("hello world"u8.ToArray())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_names_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"imaging-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(path, "GIF89a-not-really"u8.ToArray());
        try
        {
            var e = await Assert.ThrowsAsync<ImageFormatException>(() => ImageCodec.LoadAsync(path));
            Assert.Equal(path, e.SourceName);
            Assert.Contains("Gif", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
