using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Markdown manuscripts. Front matter (see <see cref="FrontMatter"/>) sets metadata and options. Chapters start
/// at headings: a document whose first block is its only <c>#</c> heading uses it as the book title and starts
/// chapters at <c>##</c>; otherwise chapters start at the shallowest of <c>#</c>/<c>##</c> used, and deeper
/// headings become sub-headings inside steps. Text before the first chapter heading is an untitled chapter.
/// Steps are paragraphs (list items count as paragraphs), or, in a chapter that has any thematic break
/// (<c>---</c>, <c>***</c>, <c>___</c>), the runs of blocks between breaks. Setext headings, fenced code, block
/// quotes and HTML comments are understood; indented code blocks are not (writers indent prose).
/// </summary>
internal static partial class MarkdownManuscriptParser
{
    public static Manuscript Parse(string text, ManuscriptOrigin origin, IReadOnlyList<SettingInput> outerSettings)
    {
        var (frontMatter, body, firstLine) = FrontMatter.Split(text, origin.Source);
        var warnings = new List<string>();
        var settings = ManuscriptSettingsBinder.Bind(frontMatter, origin.Source);
        var outer = ManuscriptSettingsBinder.Bind(outerSettings, origin.Source);
        var blocks = ReadBlocks(body, firstLine, warnings);

        var titleBlock = blocks.Count > 0 && blocks[0] is { Kind: BlockKind.Heading, Level: 1, Text.Length: > 0 }
            && blocks.Count(b => b is { Kind: BlockKind.Heading, Level: 1 }) == 1
            ? blocks[0]
            : null;
        var chapterLevel = blocks.Where(b => b != titleBlock && b is { Kind: BlockKind.Heading, Level: <= 2 })
            .Select(b => (int?)b.Level)
            .Min();

        var chapters = new List<ManuscriptChapter>();
        string? chapterTitle = null;
        var chapterLine = firstLine;
        var chapterBlocks = new List<Block>();
        var untitledPrologue = true;
        foreach (var block in blocks)
        {
            if (block == titleBlock)
            {
                continue;
            }

            if (block.Kind == BlockKind.Heading && block.Level == chapterLevel)
            {
                AddChapter(chapters, chapterTitle, chapterLine, chapterBlocks, warnings, isPrologue: untitledPrologue);
                chapterTitle = block.Text.Length > 0 ? InlineMarkdown.PlainText(block.Text) : null;
                chapterLine = block.Line;
                chapterBlocks = [];
                untitledPrologue = false;
                continue;
            }

            chapterBlocks.Add(block);
        }

        AddChapter(chapters, chapterTitle, chapterLine, chapterBlocks, warnings, isPrologue: untitledPrologue);

        var title = outer.Title ?? settings.Title
            ?? (titleBlock is null ? null : NullIfEmpty(InlineMarkdown.PlainText(titleBlock.Text)))
            ?? origin.DefaultTitle;
        return new Manuscript(
            origin.Source,
            origin.SourceName,
            origin.ItemKey,
            ManuscriptFormat.Markdown,
            title,
            outer.Author ?? settings.Author,
            outer.Language ?? settings.Language,
            outer.Description ?? settings.Description,
            settings.Options.OverriddenBy(outer.Options),
            chapters,
            warnings);
    }

    private static void AddChapter(List<ManuscriptChapter> chapters, string? title, int line, List<Block> blocks, List<string> warnings, bool isPrologue)
    {
        var steps = new List<ManuscriptStep>();
        var pendingHeadings = new List<Block>();
        var describe = title is null ? $"the untitled chapter on line {line}" : $"chapter '{title}' (line {line})";
        if (blocks.Any(b => b.Kind == BlockKind.Break))
        {
            var group = new List<Block>();
            foreach (var block in blocks.Append(new Block(BlockKind.Break, string.Empty, int.MaxValue, 0)))
            {
                if (block.Kind != BlockKind.Break)
                {
                    group.Add(block);
                    continue;
                }

                if (group.Count == 0)
                {
                    continue;
                }

                if (group.All(b => b.Kind == BlockKind.Heading))
                {
                    pendingHeadings.AddRange(group);
                }
                else
                {
                    AddStep(steps, [.. pendingHeadings, .. group], warnings);
                    pendingHeadings.Clear();
                }

                group = [];
            }
        }
        else
        {
            foreach (var block in blocks)
            {
                if (block.Kind == BlockKind.Heading)
                {
                    pendingHeadings.Add(block);
                    continue;
                }

                AddStep(steps, [.. pendingHeadings, block], warnings);
                pendingHeadings.Clear();
            }
        }

        foreach (var heading in pendingHeadings)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"line {heading.Line}: sub-heading '{heading.Text}' has no text after it in {describe}; it was left out."));
        }

        if (steps.Count > 0)
        {
            chapters.Add(new ManuscriptChapter(title, line, steps));
        }
        else if (!(isPrologue && blocks.Count == 0))
        {
            warnings.Add($"{char.ToUpperInvariant(describe[0])}{describe[1..]} has no text to illustrate; it was left out.");
        }
    }

    private static void AddStep(List<ManuscriptStep> steps, List<Block> blocks, List<string> warnings)
    {
        var stepBlocks = new List<StepBlock>();
        var words = new List<string>();
        foreach (var block in blocks)
        {
            switch (block.Kind)
            {
                case BlockKind.Heading:
                    stepBlocks.Add(new StepBlock(StepBlockKind.Heading, block.Text, Markdown: true));
                    break;
                case BlockKind.Code:
                    stepBlocks.Add(new StepBlock(StepBlockKind.Code, block.Text, Markdown: false));
                    words.Add(ManuscriptText.CollapseWhitespace(block.Text));
                    break;
                default:
                    stepBlocks.Add(new StepBlock(StepBlockKind.Paragraph, block.Text, Markdown: true));
                    words.Add(InlineMarkdown.PlainText(block.Text));
                    break;
            }
        }

        var text = ManuscriptText.CollapseWhitespace(string.Join(' ', words));
        var line = blocks.First(b => b.Kind != BlockKind.Heading).Line;
        if (text.Length == 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"line {line}: this step has no words to illustrate (only an image or markup); it was left out."));
            return;
        }

        steps.Add(new ManuscriptStep(text, stepBlocks, line));
    }

    /// <summary>Splits the body into headings, paragraphs, code blocks and thematic breaks.</summary>
    private static List<Block> ReadBlocks(string body, int firstLine, List<string> warnings)
    {
        var blocks = new List<Block>();
        var lines = body.Split('\n');
        var paragraph = new StringBuilder();
        var paragraphLine = 0;
        var paragraphIsListItem = false;
        string? fence = null;
        var fenceIndent = 0;
        var fenceLine = 0;
        var code = new StringBuilder();
        var commentLine = 0;

        void FlushParagraph()
        {
            if (paragraph.Length > 0)
            {
                blocks.Add(new Block(BlockKind.Paragraph, paragraph.ToString().TrimEnd(), paragraphLine, 0));
                paragraph.Clear();
            }

            paragraphIsListItem = false;
        }

        void AddParagraphLine(string content, int lineNumber)
        {
            if (paragraph.Length == 0)
            {
                paragraphLine = lineNumber;
            }
            else
            {
                paragraph.Append('\n');
            }

            paragraph.Append(content);
        }

        for (var index = 0; index < lines.Length; index++)
        {
            var lineNumber = firstLine + index;
            var line = lines[index];

            if (commentLine > 0)
            {
                if (line.Contains("-->", StringComparison.Ordinal))
                {
                    commentLine = 0;
                }

                continue;
            }

            if (fence is not null)
            {
                if (IsClosingFence(line, fence))
                {
                    blocks.Add(new Block(BlockKind.Code, code.ToString().TrimEnd('\n'), fenceLine, 0));
                    code.Clear();
                    fence = null;
                }
                else
                {
                    code.Append(RemoveIndent(line, fenceIndent)).Append('\n');
                }

                continue;
            }

            var quote = BlockQuote().Match(line);
            while (quote.Success)
            {
                line = line[quote.Length..];
                quote = BlockQuote().Match(line);
            }

            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                FlushParagraph();
                continue;
            }

            if (trimmed.StartsWith("<!--", StringComparison.Ordinal) && paragraph.Length == 0)
            {
                if (!trimmed.AsSpan(4).Contains("-->", StringComparison.Ordinal))
                {
                    commentLine = lineNumber;
                }

                continue;
            }

            var open = FenceOpen().Match(line);
            if (open.Success && !(open.Groups["fence"].Value[0] == '`' && open.Groups["info"].Value.Contains('`', StringComparison.Ordinal)))
            {
                FlushParagraph();
                fence = open.Groups["fence"].Value;
                fenceIndent = open.Groups["indent"].Length;
                fenceLine = lineNumber;
                continue;
            }

            if (paragraph.Length > 0 && !paragraphIsListItem && SetextUnderline().Match(line) is { Success: true } underline)
            {
                var level = underline.Groups["char"].Value == "=" ? 1 : 2;
                blocks.Add(new Block(BlockKind.Heading, ManuscriptText.CollapseWhitespace(paragraph.ToString()), paragraphLine, level));
                paragraph.Clear();
                continue;
            }

            var atx = AtxHeading().Match(line);
            if (atx.Success)
            {
                FlushParagraph();
                var headingText = ClosingHashes().Replace(atx.Groups["text"].Value.Trim(), string.Empty).Trim();
                blocks.Add(new Block(BlockKind.Heading, headingText, lineNumber, atx.Groups["hashes"].Length));
                continue;
            }

            if (ThematicBreak().IsMatch(line))
            {
                FlushParagraph();
                blocks.Add(new Block(BlockKind.Break, string.Empty, lineNumber, 0));
                continue;
            }

            var item = ListItem().Match(line);
            if (item.Success && StartsListItem(item, paragraph.Length == 0 || paragraphIsListItem))
            {
                FlushParagraph();
                var content = item.Groups["content"].Value.Trim();
                if (content.Length > 0)
                {
                    AddParagraphLine(content, lineNumber);
                }

                paragraphIsListItem = true;
                continue;
            }

            // Leading whitespace is dropped, trailing kept: two trailing spaces are a hard line break.
            AddParagraphLine(line.TrimStart(), lineNumber);
        }

        if (fence is not null)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"line {fenceLine}: the code fence '{fence}' is never closed; it runs to the end of the manuscript."));
            blocks.Add(new Block(BlockKind.Code, code.ToString().TrimEnd('\n'), fenceLine, 0));
        }

        if (commentLine > 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"line {commentLine}: the HTML comment '<!--' is never closed with '-->'; everything after it was skipped."));
        }

        FlushParagraph();
        return blocks;
    }

    private static bool StartsListItem(Match item, bool atParagraphStart)
    {
        var marker = item.Groups["marker"].Value;
        if (item.Groups["content"].Value.Trim().Length == 0)
        {
            // An empty item cannot interrupt a paragraph (CommonMark), so "text\n-" stays text.
            return atParagraphStart;
        }

        // Bullets always start an item; an ordered item interrupts a paragraph only when it is number 1.
        return atParagraphStart || marker[0] is '-' or '+' or '*' || marker.TrimEnd('.', ')') == "1";
    }

    private static bool IsClosingFence(string line, string fence)
    {
        var trimmed = line.TrimStart(' ');
        if (line.Length - trimmed.Length > 3)
        {
            return false;
        }

        trimmed = trimmed.TrimEnd();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    private static string RemoveIndent(string line, int indent)
    {
        var remove = 0;
        while (remove < indent && remove < line.Length && line[remove] == ' ')
        {
            remove++;
        }

        return line[remove..];
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    private enum BlockKind
    {
        Paragraph,
        Heading,
        Code,
        Break,
    }

    private sealed record Block(BlockKind Kind, string Text, int Line, int Level);

    [GeneratedRegex(@"^ {0,3}> ?", RegexOptions.CultureInvariant)]
    private static partial Regex BlockQuote();

    [GeneratedRegex(@"^(?<indent> {0,3})(?<fence>`{3,}|~{3,})(?<info>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"^ {0,3}(?<char>=|-)\k<char>*[ \t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SetextUnderline();

    [GeneratedRegex(@"^ {0,3}(?<hashes>#{1,6})(?:[ \t]+(?<text>.*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"(?:^|[ \t]+)#+[ \t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ClosingHashes();

    [GeneratedRegex(@"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$", RegexOptions.CultureInvariant)]
    private static partial Regex ThematicBreak();

    [GeneratedRegex(@"^ {0,3}(?<marker>[-+*]|[0-9]{1,9}[.)])(?:[ \t]+(?<content>.*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ListItem();
}
