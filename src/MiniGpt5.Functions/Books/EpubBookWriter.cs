using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// Writes <c>book.epub</c>, an EPUB 3.3 publication: <c>mimetype</c> first and stored (uncompressed, no extra
/// field, so the bytes <c>mimetypeapplication/epub+zip</c> sit at offset 30), <c>META-INF/container.xml</c>
/// pointing at <c>EPUB/package.opf</c> (unique identifier, title, language, <c>dcterms:modified</c>, manifest,
/// spine), a navigation document, a cover page and <c>cover-image</c> when the book has a first image, a title
/// page, one XHTML content document per chapter, the PNGs, and a stylesheet. Every entry carries the book's
/// creation time, so the same inputs give the same bytes.
/// </summary>
internal static class EpubBookWriter
{
    private const string XhtmlMediaType = "application/xhtml+xml";

    public static byte[] Write(BookModel book)
    {
        var plan = book.Plan;
        var modified = book.CreatedAt.ToUniversalTime();
        // ZIP timestamps are DOS times: 1980..2107, local-time fields written as given.
        var stamp = new DateTimeOffset(Math.Clamp(modified.Year, 1980, 2107), modified.Month, modified.Day,
            modified.Hour, modified.Minute, modified.Second, TimeSpan.Zero);

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8))
        {
            void Add(string name, byte[] content, CompressionLevel level)
            {
                var entry = zip.CreateEntry(name, level);
                entry.LastWriteTime = stamp;
                using var stream = entry.Open();
                stream.Write(content);
            }

            void AddText(string name, string content) => Add(name, Encoding.UTF8.GetBytes(content), CompressionLevel.Optimal);

            Add("mimetype", "application/epub+zip"u8.ToArray(), CompressionLevel.NoCompression);
            AddText("META-INF/container.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
                  <rootfiles>
                    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
                  </rootfiles>
                </container>

                """);

            var cover = book.Steps.FirstOrDefault(s => s.HasImage);
            AddText("EPUB/package.opf", Package(book, modified, cover));
            AddText("EPUB/nav.xhtml", Navigation(book, cover is not null));
            AddText("EPUB/css/book.css", BookStyles.Epub + "\n");
            if (cover is not null)
            {
                AddText("EPUB/cover.xhtml", CoverPage(book, cover));
            }

            AddText("EPUB/title.xhtml", TitlePage(book));
            foreach (var chapter in book.Chapters)
            {
                AddText($"EPUB/{ChapterFile(chapter)}", ChapterDocument(book, chapter));
            }

            foreach (var step in book.Steps.Where(s => s.HasImage))
            {
                // PNG data is already deflated; storing it saves time and loses nothing.
                Add($"EPUB/{ImageFile(step)}", step.Png!, CompressionLevel.NoCompression);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>A stable <c>urn:uuid:</c> for the manuscript: RFC 9562 version 8 from SHA-256 of the id.</summary>
    public static string Identifier(string manuscriptId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("minigpt5/epub-identifier/v1\n" + manuscriptId));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"urn:uuid:{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    private static string ChapterFile(BookChapterView chapter) =>
        string.Create(CultureInfo.InvariantCulture, $"chapter-{chapter.Chapter.Index:D3}.xhtml");

    private static string ChapterItemId(BookChapterView chapter) =>
        string.Create(CultureInfo.InvariantCulture, $"chapter-{chapter.Chapter.Index:D3}");

    private static string ImageFile(BookStepView step) => $"images/{step.Step.Key}.png";

    private static string ImageItemId(BookStepView step) => $"image-{step.Step.Key}";

    private static string Package(BookModel book, DateTimeOffset modified, BookStepView? cover)
    {
        var plan = book.Plan;
        var opf = new StringBuilder();
        opf.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .Append("<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"pub-id\" xml:lang=\"")
            .AppendAttribute(plan.Language).Append("\">\n")
            .Append("  <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n")
            .Append("    <dc:identifier id=\"pub-id\">").Append(Identifier(plan.ManuscriptId)).Append("</dc:identifier>\n")
            .Append("    <dc:title>").AppendText(plan.Title).Append("</dc:title>\n")
            .Append("    <dc:language>").AppendText(plan.Language).Append("</dc:language>\n");
        if (plan.Author is not null)
        {
            opf.Append("    <dc:creator>").AppendText(plan.Author).Append("</dc:creator>\n");
        }

        if (plan.Description is not null)
        {
            opf.Append("    <dc:description>").AppendText(plan.Description).Append("</dc:description>\n");
        }

        opf.Append("    <dc:source>").AppendText(plan.Source).Append("</dc:source>\n")
            .Append("    <meta property=\"dcterms:modified\">")
            .Append(modified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append("</meta>\n");
        if (cover is not null)
        {
            // For EPUB 2 reading systems, which look for the cover this way.
            opf.Append("    <meta name=\"cover\" content=\"").Append(ImageItemId(cover)).Append("\"/>\n");
        }

        opf.Append("  </metadata>\n  <manifest>\n")
            .Append("    <item id=\"nav\" href=\"nav.xhtml\" media-type=\"").Append(XhtmlMediaType).Append("\" properties=\"nav\"/>\n")
            .Append("    <item id=\"css\" href=\"css/book.css\" media-type=\"text/css\"/>\n");
        if (cover is not null)
        {
            opf.Append("    <item id=\"cover\" href=\"cover.xhtml\" media-type=\"").Append(XhtmlMediaType).Append("\"/>\n");
        }

        opf.Append("    <item id=\"title-page\" href=\"title.xhtml\" media-type=\"").Append(XhtmlMediaType).Append("\"/>\n");
        foreach (var chapter in book.Chapters)
        {
            opf.Append("    <item id=\"").Append(ChapterItemId(chapter)).Append("\" href=\"").Append(ChapterFile(chapter))
                .Append("\" media-type=\"").Append(XhtmlMediaType).Append("\"/>\n");
        }

        foreach (var step in book.Steps.Where(s => s.HasImage))
        {
            opf.Append("    <item id=\"").Append(ImageItemId(step)).Append("\" href=\"").Append(ImageFile(step))
                .Append("\" media-type=\"image/png\"").Append(step == cover ? " properties=\"cover-image\"" : string.Empty).Append("/>\n");
        }

        opf.Append("  </manifest>\n  <spine>\n");
        if (cover is not null)
        {
            opf.Append("    <itemref idref=\"cover\"/>\n");
        }

        opf.Append("    <itemref idref=\"title-page\"/>\n");
        if (book.Chapters.Count > 1)
        {
            opf.Append("    <itemref idref=\"nav\"/>\n");
        }

        foreach (var chapter in book.Chapters)
        {
            opf.Append("    <itemref idref=\"").Append(ChapterItemId(chapter)).Append("\"/>\n");
        }

        opf.Append("  </spine>\n</package>\n");
        return opf.ToString();
    }

    private static StringBuilder Document(BookModel book, string title)
    {
        var lang = book.Plan.Language;
        var xhtml = new StringBuilder();
        xhtml.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n")
            .Append("<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"")
            .Append(" xml:lang=\"").AppendAttribute(lang).Append("\" lang=\"").AppendAttribute(lang).Append("\">\n")
            .Append("<head>\n<meta charset=\"UTF-8\"/>\n<title>").AppendText(title).Append("</title>\n")
            .Append("<link rel=\"stylesheet\" type=\"text/css\" href=\"css/book.css\"/>\n</head>\n");
        return xhtml;
    }

    private static string Navigation(BookModel book, bool hasCover)
    {
        var nav = Document(book, "Contents");
        nav.Append("<body>\n<nav epub:type=\"toc\" id=\"toc\">\n<h1>Contents</h1>\n<ol>\n");
        foreach (var chapter in book.Chapters)
        {
            nav.Append("<li><a href=\"").Append(ChapterFile(chapter)).Append("\">").AppendText(chapter.Heading).Append("</a></li>\n");
        }

        nav.Append("</ol>\n</nav>\n<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n<h2>Landmarks</h2>\n<ol>\n");
        if (hasCover)
        {
            nav.Append("<li><a epub:type=\"cover\" href=\"cover.xhtml\">Cover</a></li>\n");
        }

        nav.Append("<li><a epub:type=\"titlepage\" href=\"title.xhtml\">Title page</a></li>\n")
            .Append("<li><a epub:type=\"bodymatter\" href=\"").Append(ChapterFile(book.Chapters[0])).Append("\">Start of the story</a></li>\n")
            .Append("</ol>\n</nav>\n</body>\n</html>\n");
        return nav.ToString();
    }

    private static string CoverPage(BookModel book, BookStepView cover)
    {
        var page = Document(book, book.Plan.Title);
        page.Append("<body>\n<section epub:type=\"cover\">\n<div class=\"cover\">\n<img src=\"").Append(ImageFile(cover))
            .Append("\" alt=\"").AppendAttribute(book.Plan.Title)
            .Append(string.Create(CultureInfo.InvariantCulture, $"\" width=\"{cover.Width}\" height=\"{cover.Height}\"/>\n"))
            .Append("</div>\n</section>\n</body>\n</html>\n");
        return page.ToString();
    }

    private static string TitlePage(BookModel book)
    {
        var plan = book.Plan;
        var page = Document(book, plan.Title);
        page.Append("<body>\n<section epub:type=\"titlepage\">\n<h1 class=\"title\">").AppendText(plan.Title).Append("</h1>\n");
        if (plan.Author is not null)
        {
            page.Append("<p class=\"author\">").AppendText(plan.Author).Append("</p>\n");
        }

        if (plan.Description is not null)
        {
            page.Append("<p class=\"description\">").AppendText(plan.Description).Append("</p>\n");
        }

        page.Append("<p class=\"colophon\">").AppendText(book.Colophon).Append("</p>\n</section>\n</body>\n</html>\n");
        return page.ToString();
    }

    private static string ChapterDocument(BookModel book, BookChapterView chapter)
    {
        var doc = Document(book, chapter.Heading);
        doc.Append("<body>\n<section epub:type=\"chapter\" id=\"").Append(chapter.Id).Append("\">\n");
        if (book.ShowChapterHeadings)
        {
            doc.Append("<h2>").AppendText(chapter.Heading).Append("</h2>\n");
        }

        foreach (var view in chapter.Steps)
        {
            var step = view.Step;
            doc.Append("<div class=\"step\" id=\"step-").Append(step.Key).Append("\">\n");
            var headings = step.Blocks.TakeWhile(b => b.Kind == Manuscripts.StepBlockKind.Heading).ToList();
            InlineHtml.AppendBlocks(doc, headings, string.Empty);
            if (view.HasImage)
            {
                doc.Append("<div class=\"figure\"><img src=\"").Append(ImageFile(view))
                    .Append("\" alt=\"").AppendAttribute(step.Text)
                    .Append(string.Create(CultureInfo.InvariantCulture, $"\" width=\"{view.Width}\" height=\"{view.Height}\"/></div>\n"));
            }
            else
            {
                doc.Append("<div class=\"placeholder\"><strong>Illustration unavailable</strong><small>")
                    .AppendText(view.ShortReason).Append("</small></div>\n");
            }

            InlineHtml.AppendBlocks(doc, step.Blocks.Skip(headings.Count).ToList(), string.Empty);
            doc.Append("</div>\n");
        }

        doc.Append("</section>\n</body>\n</html>\n");
        return doc.ToString();
    }
}
