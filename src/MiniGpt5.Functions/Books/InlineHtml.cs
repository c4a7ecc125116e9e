using System.Text;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// Renders a step's blocks as HTML/XHTML. Markdown links keep only http, https and mailto targets (a relative
/// link from the manuscript would point nowhere in the book, and other schemes such as <c>javascript:</c> are
/// unsafe). Images in the manuscript become a link to the image with its alt text, so the book stays
/// self-contained and never fetches from the network when opened.
/// </summary>
internal static class InlineHtml
{
    public static void AppendBlocks(StringBuilder html, IReadOnlyList<StepBlock> blocks, string indent)
    {
        foreach (var block in blocks)
        {
            switch (block.Kind)
            {
                case StepBlockKind.Heading:
                    html.Append(indent).Append("<h3>");
                    AppendInline(html, block);
                    html.Append("</h3>\n");
                    break;
                case StepBlockKind.Code:
                    html.Append(indent).Append("<pre><code>").AppendText(block.Content).Append("</code></pre>\n");
                    break;
                default:
                    html.Append(indent).Append("<p>");
                    AppendInline(html, block);
                    html.Append("</p>\n");
                    break;
            }
        }
    }

    private static void AppendInline(StringBuilder html, StepBlock block)
    {
        if (block.Markdown)
        {
            AppendNodes(html, InlineMarkdown.Parse(block.Content));
        }
        else
        {
            html.AppendText(CollapseLines(block.Content));
        }
    }

    private static string CollapseLines(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static void AppendNodes(StringBuilder html, IReadOnlyList<InlineNode> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    html.AppendText(text.Text);
                    break;
                case EmphasisNode emphasis:
                    var tag = emphasis.Strong ? "strong" : "em";
                    html.Append('<').Append(tag).Append('>');
                    AppendNodes(html, emphasis.Children);
                    html.Append("</").Append(tag).Append('>');
                    break;
                case CodeNode code:
                    html.Append("<code>").AppendText(code.Text).Append("</code>");
                    break;
                case LinkNode link when IsSafeUrl(link.Url):
                    html.Append("<a href=\"").AppendAttribute(link.Url).Append('"');
                    if (link.Title is not null)
                    {
                        html.Append(" title=\"").AppendAttribute(link.Title).Append('"');
                    }

                    html.Append('>');
                    AppendNodes(html, link.Children);
                    html.Append("</a>");
                    break;
                case LinkNode link:
                    AppendNodes(html, link.Children);
                    break;
                case ImageNode image when IsSafeUrl(image.Url) && image.Alt.Length > 0:
                    html.Append("<a class=\"manuscript-image\" href=\"").AppendAttribute(image.Url).Append("\">")
                        .AppendText(image.Alt).Append("</a>");
                    break;
                case ImageNode image:
                    html.AppendText(image.Alt);
                    break;
                case LineBreakNode:
                    html.Append("<br />");
                    break;
                default:
                    throw new InvalidOperationException($"Unknown inline node {node.GetType().Name}.");
            }
        }
    }

    /// <summary>Absolute http, https or mailto URLs only.</summary>
    public static bool IsSafeUrl(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeMailto);
}
