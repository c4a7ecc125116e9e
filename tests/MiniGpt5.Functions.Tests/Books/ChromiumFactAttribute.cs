namespace MiniGpt5.Functions.Tests.Books;

/// <summary>
/// A test that renders pages in headless Chromium (Debian's <c>chromium</c> package, at /usr/bin/chromium).
/// Skipped, with the reason, where it is not installed.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Path = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Path))
        {
            Skip = $"Needs headless Chromium at {Path} (Debian: apt-get install -y chromium).";
        }
    }
}
