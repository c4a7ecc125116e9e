namespace MiniGpt5.Functions.Manuscripts;

/// <summary>Where a manuscript being parsed comes from, and the defaults that depend on it.</summary>
/// <param name="Source">Name for people and error messages (<c>batch.jsonl, line 3</c>).</param>
/// <param name="SourceName">The file or blob name.</param>
/// <param name="ItemKey">The item's key inside a batch file, or null.</param>
/// <param name="DefaultTitle">The title when the manuscript gives none (the file name without extension).</param>
internal sealed record ManuscriptOrigin(string Source, string SourceName, string? ItemKey, string DefaultTitle)
{
    public static ManuscriptOrigin ForFile(string sourceName) =>
        new(sourceName, sourceName, null, TitleFromName(sourceName));

    public ManuscriptOrigin ForItem(string source, string itemKey, string? name = null) =>
        new(source, SourceName, itemKey, name is null ? DefaultTitle : TitleFromName(name));

    /// <summary>"stories/the-red-circle.md" gives "the-red-circle".</summary>
    public static string TitleFromName(string name)
    {
        var file = name.Replace('\\', '/');
        file = file[(file.LastIndexOf('/') + 1)..];
        var stem = Path.GetFileNameWithoutExtension(file);
        return string.IsNullOrWhiteSpace(stem) ? "Untitled" : stem.Trim();
    }
}
