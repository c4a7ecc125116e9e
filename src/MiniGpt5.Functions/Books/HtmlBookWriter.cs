using System.Globalization;
using System.Text;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// Writes <c>index.html</c>: one self-contained page (inline CSS, no scripts, no web fonts) that reads well on a
/// phone. Images are <c>steps/NNN.png</c> beside it, or data URIs for a single-file export; each image's alt text
/// is the step text, and its width/height attributes let the browser lay the page out before images load.
/// Failed steps show a placeholder with the reason. The markup is also well-formed XML.
/// </summary>
internal static class HtmlBookWriter
{
    public static byte[] Write(BookModel book, bool inlineImages)
    {
        var plan = book.Plan;
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html>\n")
            .Append("<html lang=\"").AppendAttribute(plan.Language).Append("\">\n")
            .Append("<head>\n")
            .Append("<meta charset=\"utf-8\" />\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
            .Append("<meta name=\"generator\" content=\"").AppendAttribute(book.Generator).Append("\" />\n");
        if (plan.Author is not null)
        {
            html.Append("<meta name=\"author\" content=\"").AppendAttribute(plan.Author).Append("\" />\n");
        }

        if (plan.Description is not null)
        {
            html.Append("<meta name=\"description\" content=\"").AppendAttribute(plan.Description).Append("\" />\n");
        }

        html.Append("<title>").AppendText(plan.Title).Append("</title>\n")
            .Append("<style>\n").Append(BookStyles.Html).Append("\n</style>\n")
            .Append("</head>\n")
            .Append("<body>\n")
            .Append("<main class=\"book\">\n")
            .Append("<header class=\"title-page\">\n")
            .Append("<h1>").AppendText(plan.Title).Append("</h1>\n");
        if (plan.Author is not null)
        {
            html.Append("<p class=\"author\">").AppendText(plan.Author).Append("</p>\n");
        }

        if (plan.Description is not null)
        {
            html.Append("<p class=\"description\">").AppendText(plan.Description).Append("</p>\n");
        }

        html.Append("</header>\n");

        if (book.Chapters.Count > 1)
        {
            html.Append("<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n");
            foreach (var chapter in book.Chapters)
            {
                html.Append("<li><a href=\"#").Append(chapter.Id).Append("\">").AppendText(chapter.Heading).Append("</a></li>\n");
            }

            html.Append("</ol>\n</nav>\n");
        }

        foreach (var chapter in book.Chapters)
        {
            html.Append("<section class=\"chapter\" id=\"").Append(chapter.Id).Append("\">\n");
            if (book.ShowChapterHeadings)
            {
                html.Append("<h2>").AppendText(chapter.Heading).Append("</h2>\n");
            }

            foreach (var step in chapter.Steps)
            {
                AppendStep(html, step, inlineImages);
            }

            html.Append("</section>\n");
        }

        html.Append("<footer class=\"colophon\">\n<p>").AppendText(book.Colophon).Append("</p>\n</footer>\n")
            .Append("</main>\n</body>\n</html>\n");
        return Encoding.UTF8.GetBytes(html.ToString());
    }

    private static void AppendStep(StringBuilder html, BookStepView view, bool inlineImages)
    {
        var step = view.Step;
        html.Append("<article class=\"step").Append(view.HasImage ? string.Empty : " failed").Append("\" id=\"step-").Append(step.Key).Append("\">\n");
        var headings = step.Blocks.TakeWhile(b => b.Kind == Manuscripts.StepBlockKind.Heading).ToList();
        InlineHtml.AppendBlocks(html, headings, string.Empty);
        if (view.HasImage)
        {
            var source = inlineImages ? "data:image/png;base64," + Convert.ToBase64String(view.Png!) : view.ImagePath;
            html.Append("<figure>\n<img src=\"").AppendAttribute(source)
                .Append("\" alt=\"").AppendAttribute(step.Text)
                .Append(string.Create(CultureInfo.InvariantCulture, $"\" width=\"{view.Width}\" height=\"{view.Height}\""))
                .Append(step.Number > 2 ? " loading=\"lazy\"" : string.Empty)
                .Append(" />\n</figure>\n");
        }
        else
        {
            html.Append("<div class=\"placeholder\" role=\"img\" aria-label=\"Illustration unavailable\">\n")
                .Append("<strong>Illustration unavailable</strong>\n")
                .Append("<small>").AppendText(view.ShortReason).Append("</small>\n")
                .Append("</div>\n");
        }

        InlineHtml.AppendBlocks(html, step.Blocks.Skip(headings.Count).ToList(), string.Empty);
        html.Append("</article>\n");
    }
}
