namespace MiniGpt5.Functions.Manuscripts;

/// <summary>The book files a manuscript can ask for (manifest.json and the step images are always written).</summary>
public enum BookFormat
{
    /// <summary><c>index.html</c>: self-contained, readable on a phone.</summary>
    Html,

    /// <summary><c>book.md</c>: Markdown with relative image links.</summary>
    Markdown,

    /// <summary><c>book.epub</c>: EPUB 3.</summary>
    Epub,
}
