using System.Globalization;
using System.Text.RegularExpressions;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Plain-text manuscripts. Paragraphs are separated by blank lines; each paragraph is a step. A paragraph that is
/// a single heading line starts a chapter: "Chapter 3", "CHAPTER III: The Square", "Part One", "Prologue", or any
/// line of at most 80 characters with letters and no lower-case letter ("THE BLUE SQUARE"). A "Chapter N" line
/// followed by one short line ("Chapter 1" / "The Red Circle") is a heading with that title. When the first
/// paragraph is an all-capitals line (not a "Chapter N" line) followed by another heading, or when it is the only
/// heading, it is the book title. With no heading lines the manuscript is one untitled chapter.
/// </summary>
internal static partial class PlainTextManuscriptParser
{
    private const int MaxHeadingLength = 80;

    public static Manuscript Parse(string text, ManuscriptOrigin origin, IReadOnlyList<SettingInput> outerSettings)
    {
        var settings = ManuscriptSettingsBinder.Bind(outerSettings, origin.Source);
        var warnings = new List<string>();
        var paragraphs = ReadParagraphs(text);
        var headings = paragraphs.Select(HeadingText).ToList();

        string? bookTitle = null;
        var start = 0;
        if (paragraphs.Count > 1 && headings[0] is not null && !IsChapterLine(paragraphs[0].Lines[0])
            && (headings[1] is not null || headings.Skip(1).All(h => h is null)))
        {
            bookTitle = headings[0];
            start = 1;
        }

        var chapters = new List<ManuscriptChapter>();
        string? chapterTitle = null;
        var chapterLine = paragraphs.Count > start ? paragraphs[start].Line : 1;
        var steps = new List<ManuscriptStep>();
        var sawHeading = false;
        void Close()
        {
            if (steps.Count > 0)
            {
                chapters.Add(new ManuscriptChapter(chapterTitle, chapterLine, steps));
            }
            else if (sawHeading)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Chapter '{chapterTitle}' (line {chapterLine}) has no text to illustrate; it was left out."));
            }
        }

        for (var i = start; i < paragraphs.Count; i++)
        {
            var paragraph = paragraphs[i];
            if (headings[i] is { } heading)
            {
                Close();
                chapterTitle = heading;
                chapterLine = paragraph.Line;
                steps = [];
                sawHeading = true;
                continue;
            }

            var content = string.Join('\n', paragraph.Lines);
            steps.Add(new ManuscriptStep(
                ManuscriptText.CollapseWhitespace(content),
                [new StepBlock(StepBlockKind.Paragraph, content, Markdown: false)],
                paragraph.Line));
        }

        Close();
        return new Manuscript(
            origin.Source,
            origin.SourceName,
            origin.ItemKey,
            ManuscriptFormat.PlainText,
            settings.Title ?? bookTitle ?? origin.DefaultTitle,
            settings.Author,
            settings.Language,
            settings.Description,
            settings.Options,
            chapters,
            warnings);
    }

    /// <summary>The heading a paragraph makes, or null when it is text.</summary>
    private static string? HeadingText(Paragraph paragraph)
    {
        var lines = paragraph.Lines;
        if (lines.Count == 1 && (IsChapterLine(lines[0]) || IsCapitalsLine(lines[0])))
        {
            return lines[0];
        }

        if (lines.Count == 2 && IsChapterLine(lines[0]) && lines[1].Length <= MaxHeadingLength && !EndsSentence(lines[1]))
        {
            return $"{lines[0].TrimEnd(':', '.', ' ')}: {lines[1]}";
        }

        return null;
    }

    /// <summary>
    /// "Chapter 2", "Chapter 2: The Square", "PART III - Night", "Chapter 2 The Square"; not a sentence that
    /// happens to start with those words ("Part two of the story was blue.").
    /// </summary>
    private static bool IsChapterLine(string line)
    {
        if (line.Length > MaxHeadingLength || ChapterLine().Match(line) is not { Success: true } match)
        {
            return false;
        }

        var rest = match.Groups["rest"].Value;
        return rest.Length == 0 || ":.-–—".Contains(rest[0], StringComparison.Ordinal) || !EndsSentence(line);
    }

    private static bool IsCapitalsLine(string line) =>
        line.Length <= MaxHeadingLength && line.Any(char.IsLetter) && !line.Any(char.IsLower)
        && line.Count(char.IsLetter) >= 2;

    private static bool EndsSentence(string line) => line.EndsWith('.') || line.EndsWith('!') || line.EndsWith('?');

    private static List<Paragraph> ReadParagraphs(string text)
    {
        var paragraphs = new List<Paragraph>();
        var lines = text.Split('\n');
        List<string>? current = null;
        var currentLine = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                if (current is not null)
                {
                    paragraphs.Add(new Paragraph(current, currentLine));
                    current = null;
                }

                continue;
            }

            if (current is null)
            {
                current = [];
                currentLine = i + 1;
            }

            current.Add(line);
        }

        if (current is not null)
        {
            paragraphs.Add(new Paragraph(current, currentLine));
        }

        return paragraphs;
    }

    private sealed record Paragraph(List<string> Lines, int Line);

    [GeneratedRegex(
        @"^(?:(?:chapter|part|book)\s+(?:[0-9]+|[ivxlcdm]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)\b|(?:prologue|epilogue|interlude)\b)\s*(?<rest>.*)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ChapterLine();
}
