using System.Text;
using System.Text.RegularExpressions;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Inline Markdown: emphasis (<c>*</c>/<c>_</c> with CommonMark's flanking rules and delimiter algorithm), code
/// spans, links, images, autolinks, backslash escapes and hard breaks. Raw HTML and entity references stay
/// literal text (the book escapes them), which is safe and shows the writer exactly what they typed.
/// Pathological input stays linear: bracket and backtick searches look a bounded distance ahead, and a paragraph
/// with more than <see cref="MaxDelimiters"/> emphasis runs keeps them as literal characters.
/// </summary>
internal static partial class InlineMarkdown
{
    /// <summary>Beyond this many <c>*</c>/<c>_</c> runs in one paragraph, emphasis is not interpreted.</summary>
    public const int MaxDelimiters = 1000;

    private const int MaxLookahead = 4000;

    /// <summary>Parses one paragraph's inline content.</summary>
    public static IReadOnlyList<InlineNode> Parse(string text)
    {
        var tokens = new List<Token>();
        var pending = new StringBuilder();
        var i = 0;
        void Flush()
        {
            if (pending.Length > 0)
            {
                tokens.Add(new Token(new TextNode(pending.ToString())));
                pending.Clear();
            }
        }

        while (i < text.Length)
        {
            var c = text[i];
            switch (c)
            {
                case '\\' when i + 1 < text.Length && text[i + 1] == '\n':
                    Flush();
                    tokens.Add(new Token(new LineBreakNode()));
                    i += 2;
                    SkipSpaces(text, ref i);
                    continue;
                case '\\' when i + 1 < text.Length && IsAsciiPunctuation(text[i + 1]):
                    pending.Append(text[i + 1]);
                    i += 2;
                    continue;
                case '\n':
                    // Two or more trailing spaces make a hard break; otherwise a soft break reads as a space.
                    var trailing = CountTrailingSpaces(pending);
                    pending.Length -= trailing;
                    if (trailing >= 2)
                    {
                        Flush();
                        tokens.Add(new Token(new LineBreakNode()));
                    }
                    else
                    {
                        pending.Append(' ');
                    }

                    i++;
                    SkipSpaces(text, ref i);
                    continue;
                case '`':
                    if (TryCodeSpan(text, i, out var code, out var codeEnd))
                    {
                        Flush();
                        tokens.Add(new Token(code));
                        i = codeEnd;
                    }
                    else
                    {
                        var run = RunLength(text, i, '`');
                        pending.Append('`', run);
                        i += run;
                    }

                    continue;
                case '!' when i + 1 < text.Length && text[i + 1] == '[':
                    if (TryLink(text, i + 1, out var alt, out var imageUrl, out var imageTitle, out var imageEnd))
                    {
                        Flush();
                        tokens.Add(new Token(new ImageNode(PlainText(Parse(alt)), imageUrl, imageTitle)));
                        i = imageEnd;
                    }
                    else
                    {
                        pending.Append('!');
                        i++;
                    }

                    continue;
                case '[':
                    if (TryLink(text, i, out var label, out var url, out var title, out var linkEnd))
                    {
                        Flush();
                        tokens.Add(new Token(new LinkNode(WithoutLinks(Parse(label)), url, title)));
                        i = linkEnd;
                    }
                    else
                    {
                        pending.Append('[');
                        i++;
                    }

                    continue;
                case '<':
                    var auto = Autolink().Match(text, i);
                    if (auto.Success && auto.Index == i)
                    {
                        Flush();
                        var target = auto.Groups["target"].Value;
                        var href = target.Contains(':', StringComparison.Ordinal) ? target : "mailto:" + target;
                        tokens.Add(new Token(new LinkNode([new TextNode(target)], href, null)));
                        i += auto.Length;
                    }
                    else
                    {
                        pending.Append('<');
                        i++;
                    }

                    continue;
                case '*' or '_':
                    Flush();
                    var length = RunLength(text, i, c);
                    var before = i == 0 ? '\n' : text[i - 1];
                    var after = i + length >= text.Length ? '\n' : text[i + length];
                    tokens.Add(Token.Delimiter(c, length, before, after));
                    i += length;
                    continue;
                default:
                    pending.Append(c);
                    i++;
                    continue;
            }
        }

        Flush();
        if (tokens.Count(t => t.IsDelimiter) <= MaxDelimiters)
        {
            ProcessEmphasis(tokens);
        }

        return ToNodes(tokens);
    }

    /// <summary>Links may not contain links (CommonMark): an inner link keeps its text and loses its target.</summary>
    private static List<InlineNode> WithoutLinks(IReadOnlyList<InlineNode> nodes)
    {
        var result = new List<InlineNode>(nodes.Count);
        foreach (var node in nodes)
        {
            switch (node)
            {
                case LinkNode inner:
                    result.AddRange(WithoutLinks(inner.Children));
                    break;
                case EmphasisNode emphasis:
                    result.Add(emphasis with { Children = WithoutLinks(emphasis.Children) });
                    break;
                default:
                    result.Add(node);
                    break;
            }
        }

        return result;
    }

    /// <summary>The words of parsed inline content: emphasis and links reduced to their text, images to their alt text.</summary>
    public static string PlainText(IReadOnlyList<InlineNode> nodes)
    {
        var text = new StringBuilder();
        Append(nodes, text);
        return ManuscriptText.CollapseWhitespace(text.ToString());

        static void Append(IReadOnlyList<InlineNode> nodes, StringBuilder text)
        {
            foreach (var node in nodes)
            {
                switch (node)
                {
                    case TextNode t: text.Append(t.Text); break;
                    case CodeNode c: text.Append(c.Text); break;
                    case EmphasisNode e: Append(e.Children, text); break;
                    case LinkNode l: Append(l.Children, text); break;
                    case ImageNode img: text.Append(' ').Append(img.Alt).Append(' '); break;
                    case LineBreakNode: text.Append(' '); break;
                    default: throw new InvalidOperationException($"Unknown inline node {node.GetType().Name}.");
                }
            }
        }
    }

    /// <summary>Plain text of an inline Markdown string.</summary>
    public static string PlainText(string markdown) => PlainText(Parse(markdown));

    private static bool TryCodeSpan(string text, int start, out CodeNode code, out int end)
    {
        var run = RunLength(text, start, '`');
        var limit = Math.Min(text.Length, start + run + MaxLookahead);
        var i = start + run;
        while (i < limit)
        {
            i = text.IndexOf('`', i, limit - i);
            if (i < 0)
            {
                break;
            }

            var closing = RunLength(text, i, '`');
            if (closing == run)
            {
                var content = text[(start + run)..i].Replace('\n', ' ');
                // CommonMark strips one space from each side when both are there and the content is not all spaces.
                if (content.Length >= 2 && content[0] == ' ' && content[^1] == ' ' && content.Trim().Length > 0)
                {
                    content = content[1..^1];
                }

                code = new CodeNode(content);
                end = i + closing;
                return true;
            }

            i += closing;
        }

        code = null!;
        end = start;
        return false;
    }

    /// <summary>Parses <c>[label](destination "title")</c> starting at the '[' at <paramref name="open"/>.</summary>
    private static bool TryLink(string text, int open, out string label, out string url, out string? title, out int end)
    {
        label = url = string.Empty;
        title = null;
        end = open;
        var limit = Math.Min(text.Length, open + MaxLookahead);
        var depth = 0;
        var close = -1;
        for (var i = open + 1; i < limit; i++)
        {
            // Jump to the next character that matters; the search is vectorised.
            var next = text.AsSpan(i, limit - i).IndexOfAny('[', ']', '\\');
            if (next < 0)
            {
                break;
            }

            i += next;
            var c = text[i];
            if (c == '\\')
            {
                i++;
            }
            else if (c == '[')
            {
                depth++;
            }
            else if (c == ']')
            {
                if (depth == 0)
                {
                    close = i;
                    break;
                }

                depth--;
            }
        }

        if (close < 0 || close + 1 >= text.Length || text[close + 1] != '(')
        {
            return false;
        }

        var match = LinkTail().Match(text, close + 1, Math.Min(text.Length - close - 1, MaxLookahead));
        if (!match.Success || match.Index != close + 1)
        {
            return false;
        }

        label = text[(open + 1)..close];
        url = match.Groups["angled"].Success ? match.Groups["angled"].Value : match.Groups["bare"].Value;
        url = Unescape(url);
        title = match.Groups["title"].Success ? Unescape(match.Groups["title"].Value[1..^1]) : null;
        end = match.Index + match.Length;
        return true;
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && IsAsciiPunctuation(text[i + 1]))
            {
                i++;
            }

            output.Append(text[i]);
        }

        return output.ToString();
    }

    /// <summary>
    /// CommonMark's "process emphasis": walk closers left to right, find the nearest matching opener, wrap
    /// what lies between in em (1 delimiter) or strong (2), and keep leftover delimiters as text.
    /// </summary>
    private static void ProcessEmphasis(List<Token> tokens)
    {
        var closer = 0;
        while (closer < tokens.Count)
        {
            var close = tokens[closer];
            if (!close.IsDelimiter || !close.CanClose || close.Count == 0)
            {
                closer++;
                continue;
            }

            var opener = -1;
            for (var o = closer - 1; o >= 0; o--)
            {
                var open = tokens[o];
                if (!open.IsDelimiter || open.Char != close.Char || !open.CanOpen || open.Count == 0)
                {
                    continue;
                }

                // The "rule of 3": a run that can both open and close may not pair when the lengths sum to a
                // multiple of 3 unless both are multiples of 3 (so "*foo**bar*" parses as CommonMark says).
                if ((open.CanClose || close.CanOpen) && (open.OriginalCount + close.OriginalCount) % 3 == 0
                    && !(open.OriginalCount % 3 == 0 && close.OriginalCount % 3 == 0))
                {
                    continue;
                }

                opener = o;
                break;
            }

            if (opener < 0)
            {
                closer++;
                continue;
            }

            var openToken = tokens[opener];
            var use = openToken.Count >= 2 && close.Count >= 2 ? 2 : 1;
            var inner = tokens.GetRange(opener + 1, closer - opener - 1);
            var node = new EmphasisNode(ToNodes(inner), Strong: use == 2);
            tokens.RemoveRange(opener + 1, closer - opener - 1);
            tokens.Insert(opener + 1, new Token(node));
            openToken.Count -= use;
            close.Count -= use;
            closer = opener + 2;
            if (openToken.Count == 0)
            {
                tokens.RemoveAt(opener);
                closer--;
            }

            if (close.Count == 0)
            {
                tokens.RemoveAt(closer);
            }
        }
    }

    private static List<InlineNode> ToNodes(List<Token> tokens)
    {
        var nodes = new List<InlineNode>();
        var text = new StringBuilder();
        foreach (var token in tokens)
        {
            if (token.IsDelimiter)
            {
                text.Append(token.Char, token.Count);
            }
            else if (token.Node is TextNode t)
            {
                text.Append(t.Text);
            }
            else
            {
                if (text.Length > 0)
                {
                    nodes.Add(new TextNode(text.ToString()));
                    text.Clear();
                }

                nodes.Add(token.Node!);
            }
        }

        if (text.Length > 0)
        {
            nodes.Add(new TextNode(text.ToString()));
        }

        return nodes;
    }

    private static int RunLength(string text, int start, char c)
    {
        var end = start;
        while (end < text.Length && text[end] == c)
        {
            end++;
        }

        return end - start;
    }

    private static int CountTrailingSpaces(StringBuilder text)
    {
        var count = 0;
        while (count < text.Length && text[text.Length - 1 - count] == ' ')
        {
            count++;
        }

        return count;
    }

    private static void SkipSpaces(string text, ref int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static bool IsAsciiPunctuation(char c) => c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~';

    private static bool IsPunctuation(char c) => IsAsciiPunctuation(c) || char.IsPunctuation(c) || char.IsSymbol(c);

    /// <summary>A node, or an emphasis delimiter run with CommonMark's open/close abilities.</summary>
    private sealed class Token
    {
        public Token(InlineNode node) => Node = node;

        private Token(char c, int count, bool canOpen, bool canClose)
        {
            Char = c;
            Count = OriginalCount = count;
            CanOpen = canOpen;
            CanClose = canClose;
        }

        public InlineNode? Node { get; }

        public bool IsDelimiter => Node is null;

        public char Char { get; }

        public int Count { get; set; }

        public int OriginalCount { get; }

        public bool CanOpen { get; }

        public bool CanClose { get; }

        public static Token Delimiter(char c, int count, char before, char after)
        {
            var leftFlanking = !char.IsWhiteSpace(after) && (!IsPunctuation(after) || char.IsWhiteSpace(before) || IsPunctuation(before));
            var rightFlanking = !char.IsWhiteSpace(before) && (!IsPunctuation(before) || char.IsWhiteSpace(after) || IsPunctuation(after));
            return c == '*'
                ? new Token(c, count, leftFlanking, rightFlanking)
                : new Token(c, count, leftFlanking && (!rightFlanking || IsPunctuation(before)), rightFlanking && (!leftFlanking || IsPunctuation(after)));
        }
    }

    [GeneratedRegex(@"\G<(?<target>[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*)>", RegexOptions.CultureInvariant)]
    private static partial Regex Autolink();

    [GeneratedRegex(@"\G\([ \t\n]*(?:<(?<angled>[^<>\n]*)>|(?<bare>(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*))(?:[ \t\n]+(?<title>""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?[ \t\n]*\)", RegexOptions.CultureInvariant)]
    private static partial Regex LinkTail();
}
