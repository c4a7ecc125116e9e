using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace MiniGpt5.Functions.Tests.Books;

/// <summary>
/// Checks an EPUB 3 against the OCF and package rules a reading system depends on (the subset epubcheck
/// enforces that our writer could get wrong), and returns every problem found.
/// </summary>
internal static partial class EpubValidator
{
    private static readonly XNamespace Opf = "http://www.idpf.org/2007/opf";
    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";
    private static readonly XNamespace Container = "urn:oasis:names:tc:opendocument:xmlns:container";
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Ops = "http://www.idpf.org/2007/ops";

    public static List<string> Validate(byte[] epub)
    {
        var problems = new List<string>();
        CheckMimetypeHeader(epub, problems);

        using var zip = new ZipArchive(new MemoryStream(epub), ZipArchiveMode.Read);
        var entries = zip.Entries.ToDictionary(e => e.FullName, StringComparer.Ordinal);
        if (zip.Entries.Count == 0 || zip.Entries[0].FullName != "mimetype")
        {
            problems.Add("the first entry is not 'mimetype'.");
        }
        else if (Read(zip.Entries[0]) != "application/epub+zip")
        {
            problems.Add("mimetype does not hold exactly 'application/epub+zip'.");
        }

        if (zip.Entries.Select(e => e.FullName).Distinct(StringComparer.OrdinalIgnoreCase).Count() != zip.Entries.Count)
        {
            problems.Add("two entries have the same name (ignoring case).");
        }

        if (!entries.TryGetValue("META-INF/container.xml", out var containerEntry))
        {
            problems.Add("META-INF/container.xml is missing.");
            return problems;
        }

        var container = Parse(containerEntry, problems);
        var rootfile = container?.Descendants(Container + "rootfile").FirstOrDefault();
        var opfPath = rootfile?.Attribute("full-path")?.Value;
        if (opfPath is null || rootfile!.Attribute("media-type")?.Value != "application/oebps-package+xml")
        {
            problems.Add("container.xml has no rootfile with a full-path and media-type application/oebps-package+xml.");
            return problems;
        }

        if (!entries.TryGetValue(opfPath, out var opfEntry))
        {
            problems.Add($"the package document '{opfPath}' named by container.xml is missing.");
            return problems;
        }

        var opf = Parse(opfEntry, problems);
        if (opf is null)
        {
            return problems;
        }

        var package = opf.Root!;
        var opfDir = opfPath.Contains('/', StringComparison.Ordinal) ? opfPath[..(opfPath.LastIndexOf('/') + 1)] : string.Empty;
        if (package.Name != Opf + "package" || package.Attribute("version")?.Value != "3.0")
        {
            problems.Add("the root is not an OPF <package version=\"3.0\">.");
        }

        var metadata = package.Element(Opf + "metadata");
        var uniqueId = package.Attribute("unique-identifier")?.Value;
        var identifier = metadata?.Elements(Dc + "identifier").FirstOrDefault(e => e.Attribute("id")?.Value == uniqueId);
        if (uniqueId is null || identifier is null || string.IsNullOrWhiteSpace(identifier.Value))
        {
            problems.Add("no dc:identifier matches the package's unique-identifier.");
        }

        if (string.IsNullOrWhiteSpace(metadata?.Element(Dc + "title")?.Value))
        {
            problems.Add("dc:title is missing or empty.");
        }

        if (string.IsNullOrWhiteSpace(metadata?.Element(Dc + "language")?.Value))
        {
            problems.Add("dc:language is missing or empty.");
        }

        var modified = metadata?.Elements(Opf + "meta").Where(m => m.Attribute("property")?.Value == "dcterms:modified").ToList() ?? [];
        if (modified.Count != 1 || !ModifiedPattern().IsMatch(modified[0].Value))
        {
            problems.Add("there must be exactly one dcterms:modified of the form CCYY-MM-DDThh:mm:ssZ.");
        }

        var items = package.Element(Opf + "manifest")?.Elements(Opf + "item").ToList() ?? [];
        var byId = new Dictionary<string, XElement>(StringComparer.Ordinal);
        var byPath = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var id = item.Attribute("id")?.Value;
            var href = item.Attribute("href")?.Value;
            var type = item.Attribute("media-type")?.Value;
            if (id is null || href is null || type is null)
            {
                problems.Add($"manifest item {item} lacks id, href or media-type.");
                continue;
            }

            if (!byId.TryAdd(id, item))
            {
                problems.Add($"manifest id '{id}' is used twice.");
            }

            var path = opfDir + href;
            byPath[path] = item;
            if (!entries.ContainsKey(path))
            {
                problems.Add($"manifest item '{id}' points at '{path}', which is not in the container.");
            }

            var expected = Path.GetExtension(href) switch
            {
                ".xhtml" => "application/xhtml+xml",
                ".css" => "text/css",
                ".png" => "image/png",
                ".jpg" or ".jpeg" => "image/jpeg",
                _ => null,
            };
            if (expected is not null && expected != type)
            {
                problems.Add($"manifest item '{id}' ({href}) has media-type '{type}', expected '{expected}'.");
            }
        }

        foreach (var entry in zip.Entries)
        {
            if (entry.FullName != "mimetype" && !entry.FullName.StartsWith("META-INF/", StringComparison.Ordinal)
                && entry.FullName != opfPath && !byPath.ContainsKey(entry.FullName))
            {
                problems.Add($"'{entry.FullName}' is in the container but not in the manifest.");
            }
        }

        var navItems = items.Where(i => (i.Attribute("properties")?.Value ?? string.Empty).Split(' ').Contains("nav")).ToList();
        if (navItems.Count != 1)
        {
            problems.Add("exactly one manifest item must have properties=\"nav\".");
        }

        var spine = package.Element(Opf + "spine")?.Elements(Opf + "itemref").ToList() ?? [];
        if (spine.Count == 0)
        {
            problems.Add("the spine is empty.");
        }

        foreach (var itemref in spine)
        {
            var idref = itemref.Attribute("idref")?.Value;
            if (idref is null || !byId.TryGetValue(idref, out var item))
            {
                problems.Add($"spine itemref '{idref}' is not a manifest id.");
            }
            else if (item.Attribute("media-type")?.Value != "application/xhtml+xml")
            {
                problems.Add($"spine itemref '{idref}' is not an XHTML content document.");
            }
        }

        foreach (var item in items.Where(i => i.Attribute("media-type")?.Value == "application/xhtml+xml"))
        {
            var path = opfDir + item.Attribute("href")!.Value;
            if (!entries.TryGetValue(path, out var entry))
            {
                continue;
            }

            var doc = Parse(entry, problems);
            if (doc is null)
            {
                continue;
            }

            if (doc.Root!.Name != Xhtml + "html")
            {
                problems.Add($"{path}: the root element is not XHTML <html>.");
            }

            if (doc.Root.Element(Xhtml + "head")?.Element(Xhtml + "title") is null)
            {
                problems.Add($"{path}: has no <title>.");
            }

            var dir = path.Contains('/', StringComparison.Ordinal) ? path[..(path.LastIndexOf('/') + 1)] : string.Empty;
            foreach (var reference in doc.Descendants().SelectMany(e => new[] { e.Attribute("src"), e.Name == Xhtml + "link" ? e.Attribute("href") : null }))
            {
                if (reference is null)
                {
                    continue;
                }

                var target = Resolve(dir, reference.Value);
                if (!byPath.ContainsKey(target))
                {
                    problems.Add($"{path}: '{reference.Value}' is not a manifest item.");
                }
            }

            foreach (var image in doc.Descendants(Xhtml + "img"))
            {
                if (image.Attribute("alt") is null)
                {
                    problems.Add($"{path}: an <img> has no alt attribute.");
                }
            }

            foreach (var anchor in doc.Descendants(Xhtml + "a"))
            {
                var href = anchor.Attribute("href")?.Value;
                if (href is not null && !href.Contains(':', StringComparison.Ordinal))
                {
                    var target = Resolve(dir, href.Split('#')[0]);
                    if (!byPath.ContainsKey(target))
                    {
                        problems.Add($"{path}: link '{href}' does not point at a manifest item.");
                    }
                }
            }

            if (item == navItems.FirstOrDefault()
                && !doc.Descendants(Xhtml + "nav").Any(n => n.Attribute(Ops + "type")?.Value == "toc" && n.Element(Xhtml + "ol") is not null))
            {
                problems.Add($"{path}: the nav document has no <nav epub:type=\"toc\"> with an <ol>.");
            }
        }

        return problems;
    }

    /// <summary>
    /// OCF: the first local file header is "mimetype", stored (method 0), without an extra field, so the media
    /// type can be read at byte 38 by tools that sniff it.
    /// </summary>
    private static void CheckMimetypeHeader(byte[] epub, List<string> problems)
    {
        if (epub.Length < 58 || BinaryPrimitives.ReadUInt32LittleEndian(epub) != 0x04034B50)
        {
            problems.Add("the file does not start with a ZIP local file header.");
            return;
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(epub.AsSpan(8)) != 0)
        {
            problems.Add("mimetype is compressed; it must be stored.");
        }

        if ((BinaryPrimitives.ReadUInt16LittleEndian(epub.AsSpan(6)) & 1) != 0)
        {
            problems.Add("mimetype is encrypted.");
        }

        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(epub.AsSpan(26));
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(epub.AsSpan(28));
        if (nameLength != 8 || Encoding.ASCII.GetString(epub, 30, 8) != "mimetype")
        {
            problems.Add("the first local file header is not 'mimetype'.");
        }

        if (extraLength != 0)
        {
            problems.Add($"the mimetype header has a {extraLength}-byte extra field; it must have none.");
        }

        if (Encoding.ASCII.GetString(epub, 38, 20) != "application/epub+zip")
        {
            problems.Add("'application/epub+zip' is not at byte 38.");
        }
    }

    public static XDocument? Parse(ZipArchiveEntry entry, List<string> problems)
    {
        try
        {
            return ParseXml(Read(entry));
        }
        catch (XmlException e)
        {
            problems.Add($"{entry.FullName} is not well-formed XML: {e.Message}");
            return null;
        }
    }

    /// <summary>Parses XML (or XHTML with an HTML5 doctype) strictly: no DTD is loaded, nothing is resolved.</summary>
    public static XDocument ParseXml(string text)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, CheckCharacters = true };
        using var reader = XmlReader.Create(new StringReader(text), settings);
        return XDocument.Load(reader);
    }

    public static string Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        return reader.ReadToEnd();
    }

    private static string Resolve(string directory, string href)
    {
        var parts = new List<string>((directory + Uri.UnescapeDataString(href)).Split('/'));
        var resolved = new List<string>();
        foreach (var part in parts)
        {
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
            }
            else if (part is not ("." or ""))
            {
                resolved.Add(part);
            }
        }

        return string.Join('/', resolved);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex ModifiedPattern();
}
