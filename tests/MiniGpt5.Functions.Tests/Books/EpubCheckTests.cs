namespace MiniGpt5.Functions.Tests.Books;

public sealed class EpubCheckTests
{
    [EpubCheckFact]
    public async Task Sample_book_passes_epubcheck_without_errors_or_warnings()
    {
        var (book, _) = await SampleBookFolder.CreateAsync();
        using var _ = book;
        var (code, output, error) = await ExternalTool.RunAsync(EpubCheckFactAttribute.Java,
            ["-jar", EpubCheckFactAttribute.Jar, book.PathOf("book.epub")], TimeSpan.FromSeconds(180));
        var report = output + error;
        Assert.True(code == 0, $"epubcheck failed:\n{report}");
        Assert.Contains("No errors or warnings detected", report, StringComparison.Ordinal);
    }
}
