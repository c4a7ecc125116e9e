using System.Text;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// Writes <c>book.md</c>: the book in Markdown with relative image links (<c>steps/NNN.png</c>). Markdown steps
/// keep the writer's own markup; plain-text steps are escaped so they read back as the same text.
/// </summary>
internal static class MarkdownBookWriter
{
    public static byte[] Write(BookModel book)
    {
        var plan = book.Plan;
        var md = new StringBuilder(8 * 1024);
        md.Append("# ").Append(EscapeLine(plan.Title)).Append("\n\n");
        if (plan.Author is not null)
        {
            md.Append('*').Append(Escape(plan.Author)).Append("*\n\n");
        }

        if (plan.Description is not null)
        {
            md.Append(EscapeLine(plan.Description)).Append("\n\n");
        }

        foreach (var chapter in book.Chapters)
        {
            if (book.ShowChapterHeadings)
            {
                md.Append("## ").Append(EscapeLine(chapter.Heading)).Append("\n\n");
            }

            foreach (var view in chapter.Steps)
            {
                var blocks = view.Step.Blocks;
                var headings = blocks.TakeWhile(b => b.Kind == StepBlockKind.Heading).ToList();
                AppendBlocks(md, headings);
                if (view.HasImage)
                {
                    md.Append("![").Append(EscapeAlt(view.Step.Text)).Append("](").Append(view.ImagePath).Append(")\n\n");
                }
                else
                {
                    md.Append("> **Illustration unavailable:** ").Append(Escape(view.ShortReason)).Append("\n\n");
                }

                AppendBlocks(md, blocks.Skip(headings.Count).ToList());
            }
        }

        md.Append("---\n\n").Append(Escape(book.Colophon)).Append('\n');
        return Encoding.UTF8.GetBytes(md.ToString());
    }

    private static void AppendBlocks(StringBuilder md, List<StepBlock> blocks)
    {
        foreach (var block in blocks)
        {
            switch (block.Kind)
            {
                case StepBlockKind.Heading:
                    md.Append("### ").Append(block.Markdown ? block.Content : EscapeLine(block.Content)).Append("\n\n");
                    break;
                case StepBlockKind.Code:
                    var fence = new string('`', Math.Max(3, LongestRun(block.Content, '`') + 1));
                    md.Append(fence).Append('\n').Append(block.Content).Append('\n').Append(fence).Append("\n\n");
                    break;
                default:
                    md.Append(block.Markdown ? block.Content : EscapeLine(ManuscriptText.CollapseWhitespace(block.Content))).Append("\n\n");
                    break;
            }
        }
    }

    /// <summary>Escapes a paragraph so no character of it reads as markup, including at the line start.</summary>
    private static string EscapeLine(string text)
    {
        var escaped = Escape(ManuscriptText.CollapseWhitespace(text));
        if (escaped.Length > 0 && escaped[0] is '#' or '-' or '+' or '=' or '>')
        {
            return "\\" + escaped;
        }

        // "1. Text" or "1) Text" would start an ordered list.
        var digits = 0;
        while (digits < escaped.Length && char.IsAsciiDigit(escaped[digits]))
        {
            digits++;
        }

        return digits > 0 && digits < escaped.Length && escaped[digits] is '.' or ')'
            ? escaped[..digits] + "\\" + escaped[digits..]
            : escaped;
    }

    private static string Escape(string text)
    {
        var output = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '!' or '|' or '~')
            {
                output.Append('\\');
            }

            output.Append(c);
        }

        return output.ToString();
    }

    private static string EscapeAlt(string text) => Escape(ManuscriptText.CollapseWhitespace(text));

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var ch in text)
        {
            run = ch == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}
