using System.Text;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Tests.Manuscripts;

/// <summary>Shorthands for reading manuscripts from strings in tests.</summary>
internal static class ManuscriptTestInput
{
    public static ManuscriptReader Reader { get; } = new();

    public static Manuscript ReadOne(string text, string name = "story.md") => Reader.ReadOne(name, Encoding.UTF8.GetBytes(text));

    public static IReadOnlyList<ManuscriptReadResult> Read(string text, string name) => Reader.Read(name, Encoding.UTF8.GetBytes(text));

    public static ManuscriptError Fails(string text, string name = "story.md")
    {
        var results = Read(text, name);
        Assert.Single(results);
        Assert.False(results[0].Succeeded, "expected the manuscript to fail");
        return results[0].Error!;
    }

    /// <summary>Step texts per chapter.</summary>
    public static List<List<string>> Texts(Manuscript manuscript) =>
        manuscript.Chapters.Select(c => c.Steps.Select(s => s.Text).ToList()).ToList();
}
