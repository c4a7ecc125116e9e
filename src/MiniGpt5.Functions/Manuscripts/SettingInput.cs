namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// One key/value a manuscript gives (a front-matter line or a JSON property), with where it was: a line and
/// column for front matter, a JSON path for JSON.
/// </summary>
internal sealed record SettingInput(string Key, FrontMatterValue Value, string? Path = null)
{
    public ManuscriptError ErrorAt(string source, string message) =>
        Path is null
            ? new ManuscriptError(source, message, Value.Line, Value.Column)
            : new ManuscriptError(source, message, Path: Path);
}
