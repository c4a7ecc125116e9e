using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Tests.Books;

public sealed class BookAssemblerTests
{
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";

    private static BookAssemblyOptions Options => new() { CreatedAt = SampleBook.CreatedAt };

    [Fact]
    public async Task Writes_every_format_and_a_manifest_with_hashes()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan();
        var results = await SampleBook.IllustrateAsync(plan, temp.Folder, fail: 3);
        var result = await BookAssembler.AssembleAsync(plan, results, temp.Folder, Options);

        Assert.Equal(new BookCounts(4, 3, 1), result.Counts);
        Assert.Equal(["steps/001.png", "steps/002.png", "steps/004.png", "index.html", "book.md", "book.epub", "manifest.json"],
            result.Files.Select(f => f.Path));
        foreach (var file in result.Files)
        {
            var bytes = temp.Bytes(file.Path);
            Assert.Equal(file.Bytes, bytes.Length);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.Sha256);
        }

        var manifest = JsonSerializer.Deserialize(temp.Bytes("manifest.json"), BookJsonContext.Default.BookManifest)!;
        Assert.Equal(plan.ManuscriptId, manifest.ManuscriptId);
        Assert.Equal("Shapes <&> \"Friends\"", manifest.Title);
        Assert.Equal("shapes.md", manifest.SourceName);
        Assert.Equal(new BookCounts(4, 3, 1), manifest.Counts);
        Assert.Equal(("nano", "sha256:0123456789abcdef0123456789abcdef"), (manifest.ModelName, manifest.ModelHash));
        Assert.Equal(SampleBook.CreatedAt, manifest.CreatedAt);
        Assert.Equal(6, manifest.Files.Count);
        Assert.Equal(plan.Steps.Select(s => s.Seed), manifest.Steps.Select(s => s.Seed));
        Assert.Equal(plan.Steps.Select(s => s.Text), manifest.Steps.Select(s => s.Text));
        var failed = manifest.Steps[2];
        Assert.Equal((StepStatus.Failed, (string?)null, 3), (failed.Status, failed.Image, failed.Attempts));
        Assert.Contains("CUDA out of memory", failed.Error, StringComparison.Ordinal);
        Assert.Equal("steps/001.png", manifest.Steps[0].Image);
        Assert.Equal(["denoise", "text", "total"], manifest.Steps[0].TimingsMs!.Keys);
        Assert.Equal(["A big red circle sits on the left of a light blue background."], manifest.Steps[1].Context);

        var json = temp.Text("manifest.json");
        Assert.Contains("\"status\": \"Failed\"", json, StringComparison.Ordinal);
        Assert.Contains("\"counts\": {", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_html_is_well_formed_self_contained_and_holds_every_step()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan();
        await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, temp.Folder, fail: 3), temp.Folder, Options);
        var html = temp.Text("index.html");

        var doc = EpubValidator.ParseXml(html);
        var root = doc.Root!;
        Assert.Equal("html", root.Name.LocalName);
        Assert.Equal("en", root.Attribute("lang")?.Value);
        Assert.StartsWith("<!DOCTYPE html>\n", html, StringComparison.Ordinal);
        Assert.Contains("name=\"viewport\" content=\"width=device-width, initial-scale=1\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotContain("@font-face", html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);

        var images = doc.Descendants("img").ToList();
        Assert.Equal(["steps/001.png", "steps/002.png", "steps/004.png"], images.Select(i => i.Attribute("src")!.Value));
        Assert.All(images, i => Assert.True(File.Exists(temp.PathOf(i.Attribute("src")!.Value))));
        Assert.Equal([plan.Steps[0].Text, plan.Steps[1].Text, plan.Steps[3].Text], images.Select(i => i.Attribute("alt")!.Value));
        Assert.All(images, i => Assert.Equal("128", i.Attribute("width")!.Value));

        var articles = doc.Descendants("article").ToList();
        Assert.Equal(["step-001", "step-002", "step-003", "step-004"], articles.Select(a => a.Attribute("id")!.Value));
        foreach (var (article, step) in articles.Zip(plan.Steps))
        {
            Assert.Equal(step.Text, string.Join(' ', article.Elements("p").Select(p => p.Value)));
        }

        var placeholder = articles[2].Descendants("div").Single(d => d.Attribute("class")?.Value == "placeholder");
        Assert.Contains("Illustration unavailable", placeholder.Value, StringComparison.Ordinal);
        Assert.Contains("CUDA out of memory", placeholder.Value, StringComparison.Ordinal);
        Assert.Equal("A heading", articles[1].Element("h3")!.Value);
        Assert.Equal(["Morning", "Night & Day"], doc.Descendants("section").Select(s => s.Element("h2")!.Value));
        Assert.Equal(2, doc.Descendants("nav").Single().Descendants("li").Count());

        var link = articles[1].Descendants("a").Single();
        Assert.Equal("https://example.com/white?a=1&b=2", link.Attribute("href")!.Value);
        Assert.Equal("yellow", articles[1].Descendants("em").Single().Value);
        Assert.Equal("code", articles[3].Descendants("code").Single().Value);
    }

    [Fact]
    public async Task Inline_images_make_a_single_file_page()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan();
        await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, temp.Folder), temp.Folder,
            Options with { InlineImages = true });
        var doc = EpubValidator.ParseXml(temp.Text("index.html"));
        var sources = doc.Descendants("img").Select(i => i.Attribute("src")!.Value).ToList();
        Assert.Equal(4, sources.Count);
        Assert.All(sources, s => Assert.StartsWith("data:image/png;base64,", s, StringComparison.Ordinal));
        Assert.Equal(temp.Bytes("steps/001.png"), Convert.FromBase64String(sources[0]["data:image/png;base64,".Length..]));
    }

    [Fact]
    public async Task Epub_passes_every_structural_rule()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan();
        await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, temp.Folder, fail: 3), temp.Folder, Options);
        var epub = temp.Bytes("book.epub");
        Assert.Empty(EpubValidator.Validate(epub));

        using var zip = new ZipArchive(new MemoryStream(epub));
        var problems = new List<string>();
        var opf = EpubValidator.Parse(zip.GetEntry("EPUB/package.opf")!, problems)!;
        XNamespace o = "http://www.idpf.org/2007/opf", dc = "http://purl.org/dc/elements/1.1/";
        var metadata = opf.Root!.Element(o + "metadata")!;
        Assert.Equal("Shapes <&> \"Friends\"", metadata.Element(dc + "title")!.Value);
        Assert.Equal("Ada & Grace", metadata.Element(dc + "creator")!.Value);
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", metadata.Element(dc + "identifier")!.Value);
        Assert.Equal("2025-03-04T05:06:07Z", metadata.Elements(o + "meta").Single(m => m.Attribute("property")?.Value == "dcterms:modified").Value);
        var cover = opf.Descendants(o + "item").Single(i => i.Attribute("properties")?.Value == "cover-image");
        Assert.Equal("images/001.png", cover.Attribute("href")!.Value);
        Assert.Equal(3, opf.Descendants(o + "item").Count(i => i.Attribute("media-type")!.Value == "image/png"));
        Assert.Equal(["cover", "title-page", "nav", "chapter-001", "chapter-002"],
            opf.Descendants(o + "itemref").Select(i => i.Attribute("idref")!.Value));
        Assert.Equal(temp.Bytes("steps/004.png"), ReadBytes(zip.GetEntry("EPUB/images/004.png")!));
        Assert.All(zip.Entries, e => Assert.Equal(new DateTime(2025, 3, 4, 5, 6, 6), e.LastWriteTime.DateTime.AddSeconds(-(e.LastWriteTime.Second % 2))));

        var chapters = new[] { "EPUB/chapter-001.xhtml", "EPUB/chapter-002.xhtml" }
            .Select(name => EpubValidator.Parse(zip.GetEntry(name)!, problems)!).ToList();
        var text = string.Join("\n", chapters.Select(c => c.Root!.Value));
        Assert.All(plan.Steps, s => Assert.Contains(s.Text.Replace("`", "", StringComparison.Ordinal), text, StringComparison.Ordinal));
        Assert.Contains("Illustration unavailable", text, StringComparison.Ordinal);
        Assert.Equal(3, chapters.Sum(c => c.Descendants(Xhtml + "img").Count()));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Epub_without_images_has_no_cover_and_still_validates()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan("A red circle.\n", "one.txt");
        await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, temp.Folder, fail: 1), temp.Folder, Options);
        var epub = temp.Bytes("book.epub");
        Assert.Empty(EpubValidator.Validate(epub));
        using var zip = new ZipArchive(new MemoryStream(epub));
        Assert.Null(zip.GetEntry("EPUB/cover.xhtml"));
    }

    [Fact]
    public async Task Markdown_book_links_images_and_escapes_plain_text()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan("RED\n\n1. A *red* circle [sits] on_blue.\n\n# Not a heading\n", "plain.txt");
        await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, temp.Folder, fail: 2), temp.Folder, Options);
        var md = temp.Text("book.md");
        Assert.StartsWith("# RED\n\n", md, StringComparison.Ordinal);
        Assert.Contains("![1. A \\*red\\* circle \\[sits\\] on\\_blue.](steps/001.png)\n\n1\\. A \\*red\\* circle \\[sits\\] on\\_blue.\n\n", md, StringComparison.Ordinal);
        Assert.Contains("> **Illustration unavailable:** CUDA out of memory", md, StringComparison.Ordinal);
        Assert.Contains("\n\\# Not a heading\n", md, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markdown_book_keeps_the_writers_markup()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan();
        await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, temp.Folder), temp.Folder, Options);
        var md = temp.Text("book.md");
        Assert.Contains("## Morning\n\n![A big red circle sits on the left of a light blue background.](steps/001.png)\n\nA big **red** circle", md, StringComparison.Ordinal);
        Assert.Contains("### A heading\n\n![A small yellow square", md, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_unreadable_and_absent_results_become_placeholders()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan();
        var results = await SampleBook.IllustrateAsync(plan, temp.Folder);
        File.Delete(temp.PathOf("steps/001.png"));
        await File.WriteAllTextAsync(temp.PathOf("steps/002.png"), "not a png at all, just text that is long enough");
        results.RemoveAt(3);
        var result = await BookAssembler.AssembleAsync(plan, results, temp.Folder, Options);
        Assert.Equal(new BookCounts(4, 1, 3), result.Counts);
        var manifest = JsonSerializer.Deserialize(temp.Bytes("manifest.json"), BookJsonContext.Default.BookManifest)!;
        Assert.Equal("the image steps/001.png is missing.", manifest.Steps[0].Error);
        Assert.Equal("the image steps/002.png cannot be used: the file is not a PNG (no PNG signature).", manifest.Steps[1].Error);
        Assert.Equal("no result was recorded for this step.", manifest.Steps[3].Error);
        Assert.Empty(EpubValidator.Validate(temp.Bytes("book.epub")));
    }

    [Fact]
    public async Task In_memory_images_are_written_create_only()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan("A red circle.\n\nA blue square.\n", "two.txt");
        var existing = ShapePictures.Draw("square", (0, 0, 255), (255, 255, 255));
        await temp.Folder.WriteFileAsync("steps/002.png", existing, createOnly: true);
        var results = plan.Steps.Select(s => new StepResult
        {
            StepNumber = s.Number,
            Status = StepStatus.Succeeded,
            ImagePng = ShapePictures.ForText(s.Text),
        }).ToList();
        var result = await BookAssembler.AssembleAsync(plan, results, temp.Folder, Options);
        Assert.Equal(2, result.Counts.Done);
        Assert.Equal(ShapePictures.ForText(plan.Steps[0].Text), temp.Bytes("steps/001.png"));
        Assert.Equal(existing, temp.Bytes("steps/002.png"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(existing)), result.Files.Single(f => f.Path == "steps/002.png").Sha256);
    }

    [Fact]
    public async Task Same_inputs_give_identical_bytes()
    {
        using var a = new TempBookFolder();
        using var b = new TempBookFolder();
        var plan = SampleBook.Plan();
        var first = await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, a.Folder, fail: 2), a.Folder, Options);
        var second = await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, b.Folder, fail: 2), b.Folder, Options);
        Assert.Equal(first.Files, second.Files);
        // A retry in the same folder rewrites the same content.
        var again = await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, a.Folder, fail: 2), a.Folder, Options);
        Assert.Equal(first.Files, again.Files);
    }

    [Fact]
    public async Task Formats_follow_the_plan_options()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan(options: new ManuscriptOptions { Formats = [BookFormat.Epub] });
        var result = await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, temp.Folder), temp.Folder, Options);
        Assert.Equal(["book.epub", "manifest.json"], result.Files.Select(f => f.Path).Where(p => !p.StartsWith("steps/", StringComparison.Ordinal)));
        Assert.False(File.Exists(temp.PathOf("index.html")));
    }

    [Fact]
    public async Task Without_overwrite_existing_book_files_are_kept()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan();
        await temp.Folder.WriteFileAsync("index.html", "old"u8.ToArray(), createOnly: true);
        await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, temp.Folder), temp.Folder, Options with { Overwrite = false });
        Assert.Equal("old", temp.Text("index.html"));
        Assert.True(File.Exists(temp.PathOf("book.epub")));
    }

    [Fact]
    public async Task Results_for_unknown_or_repeated_steps_are_refused()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan();
        var stray = new StepResult { StepNumber = 9, Status = StepStatus.Failed };
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => BookAssembler.AssembleAsync(plan, [stray], temp.Folder, Options));
        Assert.Contains("step 9", ex.Message, StringComparison.Ordinal);
        var twice = new StepResult { StepNumber = 1, Status = StepStatus.Failed };
        ex = await Assert.ThrowsAsync<ArgumentException>(() => BookAssembler.AssembleAsync(plan, [twice, twice], temp.Folder, Options));
        Assert.Contains("two results", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsafe_links_in_the_manuscript_are_dropped_but_their_text_kept()
    {
        using var temp = new TempBookFolder();
        var plan = SampleBook.Plan("A [red](javascript:alert(1)) circle and a [blue](../secret.html) square ![pic](http://x.test/p.png).\n", "x.md");
        await BookAssembler.AssembleAsync(plan, await SampleBook.IllustrateAsync(plan, temp.Folder), temp.Folder, Options);
        var html = temp.Text("index.html");
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", html, StringComparison.Ordinal);
        Assert.Contains("<p>A red circle and a blue square <a class=\"manuscript-image\" href=\"http://x.test/p.png\">pic</a>.</p>", html, StringComparison.Ordinal);
        Assert.Empty(EpubValidator.Validate(temp.Bytes("book.epub")));
    }

    [Fact]
    public void Step_results_serialise_without_image_bytes()
    {
        var result = new StepResult
        {
            StepNumber = 1,
            Status = StepStatus.Succeeded,
            ImagePath = "steps/001.png",
            ImagePng = new byte[] { 1, 2, 3 },
            Settings = new StepSettings("pndm", 50, 7.5, 512, 512),
        };
        var json = JsonSerializer.Serialize(result, BookJsonContext.Default.StepResult);
        Assert.DoesNotContain("imagePng", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, BookJsonContext.Default.StepResult)!;
        Assert.Equal((1, StepStatus.Succeeded, "steps/001.png", result.Settings), (back.StepNumber, back.Status, back.ImagePath, back.Settings));
        Assert.Null(back.ImagePng);
    }

    private static byte[] ReadBytes(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
