using System.Globalization;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Books;

/// <summary>One step as the book shows it: the plan's step, its result, and the image when there is one.</summary>
internal sealed record BookStepView(PlannedStep Step, StepResult? Result, string ImagePath, byte[]? Png, int Width, int Height, string? FailureReason)
{
    public bool HasImage => Png is not null;

    /// <summary>The failure reason cut to a length that reads well under a placeholder; the manifest keeps it whole.</summary>
    public string ShortReason
    {
        get
        {
            var reason = ManuscriptText.CollapseWhitespace(FailureReason ?? "unknown error");
            return reason.Length <= 300 ? reason : reason[..299] + "…";
        }
    }
}

/// <summary>One chapter as the book shows it.</summary>
internal sealed record BookChapterView(PlannedChapter Chapter, IReadOnlyList<BookStepView> Steps)
{
    /// <summary>The heading: the title, or "Chapter N" for untitled chapters.</summary>
    public string Heading => Chapter.Title ?? string.Create(CultureInfo.InvariantCulture, $"Chapter {Chapter.Index}");

    public string Id => string.Create(CultureInfo.InvariantCulture, $"chapter-{Chapter.Index}");
}

/// <summary>Everything the writers need, resolved once.</summary>
internal sealed record BookModel(
    ManuscriptPlan Plan,
    IReadOnlyList<BookChapterView> Chapters,
    IReadOnlyList<BookStepView> Steps,
    DateTimeOffset CreatedAt,
    string? ModelName,
    string? ModelHash,
    string Generator)
{
    public int Done => Steps.Count(s => s.HasImage);

    public int Failed => Steps.Count - Done;

    /// <summary>A book with one untitled chapter shows no chapter heading (the title says it all).</summary>
    public bool ShowChapterHeadings => Chapters.Count > 1 || Chapters[0].Chapter.Title is not null;

    public string Colophon
    {
        get
        {
            var model = ModelName is null ? "MiniGPT-5" : $"MiniGPT-5 ({ModelName}{(ModelHash is null ? string.Empty : $", {ShortHash(ModelHash)}")})";
            return string.Create(CultureInfo.InvariantCulture,
                $"Illustrated with {model}. {Done} of {Steps.Count} illustrations. Made {CreatedAt.UtcDateTime:yyyy-MM-dd} by {Generator}.");
        }
    }

    private static string ShortHash(string hash)
    {
        var bare = hash.Contains(':', StringComparison.Ordinal) ? hash[(hash.IndexOf(':', StringComparison.Ordinal) + 1)..] : hash;
        return bare.Length > 12 ? bare[..12] : bare;
    }
}
