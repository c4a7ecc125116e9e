using System.Text;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// Escaping for the markup the book writers produce. Output is both valid HTML5 and well-formed XML (the EPUB's
/// XHTML is the same markup), so only the five XML entities are used and characters XML forbids are dropped.
/// </summary>
internal static class Markup
{
    /// <summary>Text content: escapes &amp;, &lt; and &gt;.</summary>
    public static StringBuilder AppendText(this StringBuilder output, string text) => Append(output, text, attribute: false);

    /// <summary>An attribute value (always written in double quotes): also escapes quotes.</summary>
    public static StringBuilder AppendAttribute(this StringBuilder output, string text) => Append(output, text, attribute: true);

    /// <summary>The escaped text as a string.</summary>
    public static string Text(string text) => new StringBuilder(text.Length).AppendText(text).ToString();

    /// <summary>The escaped attribute value as a string.</summary>
    public static string Attribute(string text) => new StringBuilder(text.Length).AppendAttribute(text).ToString();

    private static StringBuilder Append(StringBuilder output, string text, bool attribute)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': output.Append("&amp;"); break;
                case '<': output.Append("&lt;"); break;
                case '>': output.Append("&gt;"); break;
                case '"' when attribute: output.Append("&quot;"); break;
                case '\'' when attribute: output.Append("&#39;"); break;
                case '\n' or '\t' when attribute: output.Append(' '); break;
                case '\n' or '\t' or '\r': output.Append(c); break;
                case < ' ' or '\uFFFE' or '\uFFFF':
                    // Not allowed in XML 1.0.
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        output.Append(c).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        output.Append('\uFFFD');
                    }
                    else
                    {
                        output.Append(c);
                    }

                    break;
            }
        }

        return output;
    }
}
