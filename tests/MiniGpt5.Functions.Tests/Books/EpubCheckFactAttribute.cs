namespace MiniGpt5.Functions.Tests.Books;

/// <summary>
/// A test that runs the W3C EPUBCheck validator (Debian's <c>epubcheck</c> package: a jar run with
/// <c>java -jar</c>). Skipped, with the reason, where it is not installed; the structural checks in
/// <see cref="EpubValidator"/> run everywhere.
/// </summary>
public sealed class EpubCheckFactAttribute : FactAttribute
{
    public const string Jar = "/usr/share/java/epubcheck.jar";

    public const string Java = "/usr/bin/java";

    public EpubCheckFactAttribute()
    {
        if (!File.Exists(Jar) || !File.Exists(Java))
        {
            Skip = $"Needs EPUBCheck ({Jar}) and Java ({Java}) (Debian: apt-get install -y epubcheck).";
        }
    }
}
