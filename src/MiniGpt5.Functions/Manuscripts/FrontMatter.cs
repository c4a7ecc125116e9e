using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Front matter: the block between a first line <c>---</c> and the next <c>---</c> (or <c>...</c>) line at the top
/// of a Markdown manuscript, in a strict subset of YAML. Supported: <c>key: value</c> lines with plain, single-
/// or double-quoted scalars (YAML 1.2 core types: null, booleans, integers, floats, strings), flow lists
/// <c>[a, "b", 3]</c>, block lists of <c>- item</c> lines, blank lines and <c># comments</c>. Everything else —
/// nested mappings, multi-line and block scalars (<c>|</c>, <c>&gt;</c>), anchors, aliases, tags, duplicate keys,
/// tab indentation — is refused with the line and column, rather than read in some surprising way.
/// </summary>
public sealed partial class FrontMatter
{
    private FrontMatter(IReadOnlyList<FrontMatterEntry> entries) => Entries = entries;

    /// <summary>An empty front matter (the manuscript had none).</summary>
    public static FrontMatter Empty { get; } = new([]);

    /// <summary>The entries in the order written.</summary>
    public IReadOnlyList<FrontMatterEntry> Entries { get; }

    /// <summary>
    /// Splits front matter off <paramref name="text"/> (already normalised to <c>\n</c> line ends). Returns the
    /// parsed front matter (empty when the text does not start with a <c>---</c> line), the body after it and the
    /// 1-based line number the body starts on.
    /// </summary>
    public static (FrontMatter FrontMatter, string Body, int BodyFirstLine) Split(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd() != "---")
        {
            return (Empty, text, 1);
        }

        for (var i = 1; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimEnd();
            if (trimmed is "---" or "...")
            {
                var frontMatter = Parse(lines.AsSpan(1, i - 1), firstLine: 2, source);
                return (frontMatter, string.Join('\n', lines.AsSpan(i + 1)), i + 2);
            }
        }

        throw new ManuscriptException(new ManuscriptError(source,
            "front matter opened by '---' on line 1 is never closed; end it with a '---' line.", 1, 1));
    }

    /// <summary>Parses the lines between the delimiters; <paramref name="firstLine"/> is the manuscript line of the first.</summary>
    public static FrontMatter Parse(ReadOnlySpan<string> lines, int firstLine, string source)
    {
        var entries = new List<FrontMatterEntry>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            var lineNumber = firstLine + i;
            if (IsBlankOrComment(line))
            {
                i++;
                continue;
            }

            var indent = line.Length - line.TrimStart(' ', '\t').Length;
            if (line.AsSpan(0, indent).Contains('\t'))
            {
                throw Error(source, "tabs are not allowed for indentation in front matter; use spaces.", lineNumber, 1, line);
            }

            if (indent > 0)
            {
                var message = line.TrimStart().StartsWith('-')
                    ? "a list item must follow a 'key:' line with nothing after the colon."
                    : "indented line: nested mappings and multi-line values are not supported (write one 'key: value' per line, quoting long text).";
                throw Error(source, message, lineNumber, 1, line);
            }

            var match = KeyLine().Match(line);
            if (!match.Success)
            {
                var message = line.StartsWith('-')
                    ? "a list item must follow a 'key:' line with nothing after the colon."
                    : line[0] is '"' or '\''
                        ? "quoted keys are not supported; write the key plainly (letters, digits, '_', '-')."
                        : "expected 'key: value' (keys are letters, digits, '_', '-', '.'; a space must follow the colon).";
                throw Error(source, message, lineNumber, 1, line);
            }

            var key = match.Groups["key"].Value;
            if (seen.TryGetValue(key, out var previous))
            {
                throw Error(source, $"key '{key}' appears twice (first on line {previous}).", lineNumber, 1, line);
            }

            seen[key] = lineNumber;
            var rest = match.Groups["rest"];
            FrontMatterValue value;
            if (StripComment(rest.Value).Trim().Length > 0)
            {
                value = ParseInlineValue(rest.Value, lineNumber, rest.Index + 1, source, line);
                i++;
            }
            else
            {
                // "key:" alone: a block list may follow, indented or not; otherwise the value is null.
                var items = new List<FrontMatterValue>();
                var j = i + 1;
                while (j < lines.Length)
                {
                    var itemLine = lines[j];
                    if (IsBlankOrComment(itemLine))
                    {
                        j++;
                        continue;
                    }

                    var item = BlockListItem().Match(itemLine);
                    if (!item.Success)
                    {
                        break;
                    }

                    if (item.Groups["indent"].Value.Contains('\t', StringComparison.Ordinal))
                    {
                        throw Error(source, "tabs are not allowed for indentation in front matter; use spaces.", firstLine + j, 1, itemLine);
                    }

                    var itemText = item.Groups["rest"];
                    var parsed = ParseScalarOrList(itemText.Value, firstLine + j, itemText.Index + 1, source, itemLine, allowList: false);
                    items.Add(parsed);
                    j++;
                }

                value = items.Count > 0
                    ? new FrontMatterValue(FrontMatterValueKind.List, string.Empty, lineNumber, rest.Index + 1, Items: items)
                    : new FrontMatterValue(FrontMatterValueKind.Null, string.Empty, lineNumber, rest.Index + 1);
                i = items.Count > 0 ? j : i + 1;
            }

            entries.Add(new FrontMatterEntry(key, value, lineNumber));
        }

        return new FrontMatter(entries);
    }

    private static FrontMatterValue ParseInlineValue(string text, int line, int column, string source, string fullLine)
    {
        // Column points at the first character after the colon; move it to the value itself.
        var leading = text.Length - text.TrimStart().Length;
        return ParseScalarOrList(text.TrimStart(), line, column + leading, source, fullLine, allowList: true);
    }

    private static FrontMatterValue ParseScalarOrList(string text, int line, int column, string source, string fullLine, bool allowList)
    {
        if (text.Length == 0)
        {
            return new FrontMatterValue(FrontMatterValueKind.Null, string.Empty, line, column);
        }

        switch (text[0])
        {
            case '[' when allowList:
                return ParseFlowList(text, line, column, source, fullLine);
            case '[':
                throw Error(source, "nested lists are not supported.", line, column, fullLine);
            case '{':
                throw Error(source, "flow mappings ({...}) are not supported; use one 'key: value' per line.", line, column, fullLine);
            case '|' or '>':
                throw Error(source, "block scalars ('|' and '>') are not supported; put the text on one line, in quotes if it has special characters.", line, column, fullLine);
            case '&' or '*' or '!':
                throw Error(source, "anchors, aliases and tags (&, *, !) are not supported.", line, column, fullLine);
            case '"' or '\'':
                var (value, end) = ParseQuoted(text, 0, line, column, source, fullLine);
                var after = StripComment(text[end..]);
                if (after.Trim().Length > 0)
                {
                    throw Error(source, "unexpected text after the closing quote.", line, column + end, fullLine);
                }

                return new FrontMatterValue(FrontMatterValueKind.String, value, line, column, Quoted: true);
            default:
                var plain = StripComment(text).Trim();
                if (plain.StartsWith("- ", StringComparison.Ordinal) || plain == "-")
                {
                    throw Error(source, "a list item must be on its own line under a 'key:' line.", line, column, fullLine);
                }

                if (plain.Contains(": ", StringComparison.Ordinal) || plain.EndsWith(':'))
                {
                    throw Error(source, "a value containing ': ' reads as a nested mapping, which is not supported; put the value in quotes.",
                        line, column, fullLine);
                }

                return new FrontMatterValue(Resolve(plain), plain, line, column);
        }
    }

    private static FrontMatterValue ParseFlowList(string text, int line, int column, string source, string fullLine)
    {
        var items = new List<FrontMatterValue>();
        var i = 1;
        var expectItem = true;
        while (true)
        {
            while (i < text.Length && text[i] is ' ' or '\t')
            {
                i++;
            }

            if (i >= text.Length)
            {
                throw Error(source, "the list opened with '[' is not closed with ']' on the same line.", line, column, fullLine);
            }

            var c = text[i];
            if (c == ']')
            {
                if (expectItem && items.Count > 0)
                {
                    throw Error(source, "empty list item (two commas, or a comma before ']').", line, column + i, fullLine);
                }

                i++;
                break;
            }

            if (!expectItem)
            {
                if (c != ',')
                {
                    throw Error(source, "expected ',' or ']' in the list.", line, column + i, fullLine);
                }

                i++;
                expectItem = true;
                continue;
            }

            if (c == ',')
            {
                throw Error(source, "empty list item (two commas, or a comma before ']').", line, column + i, fullLine);
            }

            if (c is '[' or '{')
            {
                throw Error(source, "nested lists and mappings inside a list are not supported.", line, column + i, fullLine);
            }

            if (c is '"' or '\'')
            {
                var (value, end) = ParseQuoted(text, i, line, column, source, fullLine);
                items.Add(new FrontMatterValue(FrontMatterValueKind.String, value, line, column + i, Quoted: true));
                i = end;
            }
            else
            {
                var start = i;
                while (i < text.Length && text[i] is not (',' or ']'))
                {
                    if (text[i] is '[' or '{' or '}')
                    {
                        throw Error(source, $"'{text[i]}' inside a list item; put the item in quotes.", line, column + i, fullLine);
                    }

                    i++;
                }

                var plain = text[start..i].Trim();
                if (plain.Contains(" #", StringComparison.Ordinal))
                {
                    throw Error(source, "the list opened with '[' is not closed with ']' before the comment.", line, column, fullLine);
                }

                items.Add(new FrontMatterValue(Resolve(plain), plain, line, column + start));
            }

            expectItem = false;
        }

        if (StripComment(text[i..]).Trim().Length > 0)
        {
            throw Error(source, "unexpected text after the closing ']'.", line, column + i, fullLine);
        }

        return new FrontMatterValue(FrontMatterValueKind.List, string.Empty, line, column, Items: items);
    }

    /// <summary>Reads a quoted scalar starting at <paramref name="start"/>; returns the value and the index after the closing quote.</summary>
    private static (string Value, int End) ParseQuoted(string text, int start, int line, int column, string source, string fullLine)
    {
        var quote = text[start];
        var value = new StringBuilder();
        var i = start + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == quote)
            {
                if (quote == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
                {
                    value.Append('\'');
                    i += 2;
                    continue;
                }

                return (value.ToString(), i + 1);
            }

            if (c == '\\' && quote == '"')
            {
                if (i + 1 >= text.Length)
                {
                    break;
                }

                i = ReadEscape(text, i, value, line, column, source, fullLine);
                continue;
            }

            value.Append(c);
            i++;
        }

        throw Error(source, $"the string opened with {quote} is not closed on the same line (multi-line strings are not supported).",
            line, column + start, fullLine);
    }

    private static int ReadEscape(string text, int backslash, StringBuilder value, int line, int column, string source, string fullLine)
    {
        var code = text[backslash + 1];
        switch (code)
        {
            case '"': value.Append('"'); return backslash + 2;
            case '\\': value.Append('\\'); return backslash + 2;
            case '/': value.Append('/'); return backslash + 2;
            case 'n': value.Append('\n'); return backslash + 2;
            case 't': value.Append('\t'); return backslash + 2;
            case 'r': value.Append('\r'); return backslash + 2;
            case ' ': value.Append(' '); return backslash + 2;
            case 'x': return AppendCodePoint(text, backslash, 2, value, line, column, source, fullLine);
            case 'u': return AppendCodePoint(text, backslash, 4, value, line, column, source, fullLine);
            case 'U': return AppendCodePoint(text, backslash, 8, value, line, column, source, fullLine);
            default:
                throw Error(source, $"unknown escape '\\{code}' in a double-quoted string (use \\\\ for a backslash).",
                    line, column + backslash, fullLine);
        }
    }

    private static int AppendCodePoint(string text, int backslash, int digits, StringBuilder value, int line, int column, string source, string fullLine)
    {
        var start = backslash + 2;
        if (start + digits > text.Length
            || !int.TryParse(text.AsSpan(start, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var codePoint)
            || !Rune.IsValid(codePoint))
        {
            throw Error(source, $"'\\{text[backslash + 1]}' must be followed by {digits} hex digits of a valid code point.",
                line, column + backslash, fullLine);
        }

        value.Append(new Rune(codePoint).ToString());
        return start + digits;
    }

    /// <summary>The YAML 1.2 core schema's reading of a plain scalar.</summary>
    private static FrontMatterValueKind Resolve(string plain)
    {
        if (plain is "" or "~" or "null" or "Null" or "NULL")
        {
            return FrontMatterValueKind.Null;
        }

        if (plain is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return FrontMatterValueKind.Boolean;
        }

        if (IntegerPattern().IsMatch(plain))
        {
            return FrontMatterValueKind.Integer;
        }

        return FloatPattern().IsMatch(plain) ? FrontMatterValueKind.Float : FrontMatterValueKind.String;
    }

    /// <summary>Drops a <c># comment</c>: YAML starts one only at a '#' with whitespace (or nothing) before it.</summary>
    private static string StripComment(string text)
    {
        if (text.StartsWith('#'))
        {
            return string.Empty;
        }

        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == '#' && text[i - 1] is ' ' or '\t')
            {
                return text[..i];
            }
        }

        return text;
    }

    private static bool IsBlankOrComment(string line)
    {
        var trimmed = line.TrimStart(' ', '\t');
        return trimmed.Length == 0 || trimmed[0] == '#';
    }

    private static ManuscriptException Error(string source, string message, int line, int column, string fullLine)
    {
        var snippet = fullLine.Length > 60 ? fullLine[..60] + "…" : fullLine;
        return new ManuscriptException(new ManuscriptError(source, $"front matter: {message} (line reads: {snippet.Trim()})", line, column));
    }

    [GeneratedRegex(@"^(?<key>[A-Za-z_][A-Za-z0-9_.\-]*)[ ]*:(?<rest>(?:[ \t].*)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^(?<indent>[ \t]*)-(?:[ \t]+(?<rest>.*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex BlockListItem();

    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
