namespace MiniGpt5.Functions.Orchestrations;

/// <summary>Where a book is written: <c>illustrated/{manuscriptId}/</c>.</summary>
/// <param name="Container">Blob container (<c>illustrated</c>).</param>
/// <param name="Prefix">Folder inside the container, ending with '/': <c>{manuscriptId}/</c>.</param>
public sealed record BookLocation(string Container, string Prefix)
{
    /// <summary>The container books go to.</summary>
    public const string DefaultContainer = "illustrated";

    /// <summary>The blob name of the book's <c>index.html</c>.</summary>
    public string IndexBlob => Prefix + "index.html";

    /// <summary>The blob name of the book's <c>manifest.json</c> (present only when the book is complete).</summary>
    public string ManifestBlob => Prefix + "manifest.json";

    /// <summary>The blob name of a file of the book (<c>steps/001.png</c>, <c>book.epub</c>).</summary>
    public string BlobName(string relativePath) => Prefix + relativePath;

    /// <summary>The standard location of manuscript <paramref name="manuscriptId"/>'s book.</summary>
    public static BookLocation For(string manuscriptId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(manuscriptId);
        return new BookLocation(DefaultContainer, manuscriptId + "/");
    }

    /// <inheritdoc />
    public override string ToString() => $"{Container}/{Prefix}";
}
