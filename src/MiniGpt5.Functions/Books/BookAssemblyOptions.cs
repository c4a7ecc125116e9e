namespace MiniGpt5.Functions.Books;

/// <summary>How <see cref="BookAssembler"/> writes a book.</summary>
public sealed record BookAssemblyOptions
{
    /// <summary>
    /// When the book was made; goes into the manifest, the EPUB's <c>dcterms:modified</c> and the colophon. Pass
    /// the orchestration's <c>CurrentUtcDateTime</c>: then a retried <c>AssembleBook</c> writes identical bytes.
    /// </summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Embed images in index.html as data URIs, for a single-file export (default: relative <c>steps/NNN.png</c> links).</summary>
    public bool InlineImages { get; init; }

    /// <summary>
    /// Replace book files that already exist (default true: they are derived from the plan and step results, so a
    /// retry rewrites the same content). Step images are always written create-only.
    /// </summary>
    public bool Overwrite { get; init; } = true;

    /// <summary>Named in the colophon, the HTML generator meta tag and the manifest.</summary>
    public string Generator { get; init; } = "MiniGPT-5 for .NET";
}
