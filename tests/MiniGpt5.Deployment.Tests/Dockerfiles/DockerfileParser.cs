using System.Text;
using System.Text.Json;

namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>
/// Reads the Dockerfile syntax our rules need (docs.docker.com/reference/dockerfile): parser directives,
/// comments, the escape character, line continuations, flags, exec (JSON) and shell forms, ARG before
/// FROM, and stages. Heredocs are refused with a clear error rather than misread.
/// </summary>
internal static class DockerfileParser
{
    private static readonly HashSet<string> KnownKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
        "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    };

    public static Dockerfile Parse(string text, string name)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var directives = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var comments = new List<DockerComment>();
        var instructions = new List<DockerInstruction>();
        var escape = '\\';
        var lineIndex = 0;

        // Parser directives: "# key=value" lines at the very top, before any other line.
        for (; lineIndex < lines.Length; lineIndex++)
        {
            var trimmed = lines[lineIndex].Trim();
            if (!trimmed.StartsWith('#'))
            {
                break;
            }

            var body = trimmed[1..].Trim();
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || body[..eq].Contains(' ', StringComparison.Ordinal))
            {
                break;
            }

            directives[body[..eq].Trim()] = body[(eq + 1)..].Trim();
        }

        if (directives.TryGetValue("escape", out var escapeDirective))
        {
            if (escapeDirective is not ("\\" or "`"))
            {
                throw new DockerfileSyntaxException(name, 1, $"escape directive must be \\ or `, not '{escapeDirective}'");
            }

            escape = escapeDirective[0];
        }

        while (lineIndex < lines.Length)
        {
            var raw = lines[lineIndex];
            var trimmed = raw.Trim();
            if (trimmed.Length == 0)
            {
                lineIndex++;
                continue;
            }

            if (trimmed.StartsWith('#'))
            {
                comments.Add(new DockerComment(trimmed[1..].Trim(), lineIndex + 1));
                lineIndex++;
                continue;
            }

            var startLine = lineIndex + 1;
            var joined = new StringBuilder();
            while (true)
            {
                // Docker drops the escape character and the newline and keeps the next line as written.
                var current = lines[lineIndex].TrimEnd();
                var continues = current.EndsWith(escape);
                joined.Append(continues ? current[..^1] : current);
                lineIndex++;
                if (!continues)
                {
                    break;
                }

                // Comment and empty lines inside a continuation are dropped, as Docker does.
                while (lineIndex < lines.Length && (lines[lineIndex].Trim().Length == 0 || lines[lineIndex].TrimStart().StartsWith('#')))
                {
                    if (lines[lineIndex].TrimStart().StartsWith('#'))
                    {
                        comments.Add(new DockerComment(lines[lineIndex].Trim()[1..].Trim(), lineIndex + 1));
                    }

                    lineIndex++;
                }

                if (lineIndex >= lines.Length)
                {
                    throw new DockerfileSyntaxException(name, startLine, "the file ends inside a line continuation");
                }
            }

            instructions.Add(ParseInstruction(joined.ToString().Trim(), startLine, name));
        }

        return Build(name, directives, instructions, comments);
    }

    private static DockerInstruction ParseInstruction(string text, int line, string file)
    {
        var space = text.IndexOfAny([' ', '\t']);
        var keyword = (space < 0 ? text : text[..space]).ToUpperInvariant();
        if (!KnownKeywords.Contains(keyword))
        {
            throw new DockerfileSyntaxException(file, line, $"unknown instruction '{keyword}'");
        }

        var rest = space < 0 ? string.Empty : text[(space + 1)..].TrimStart();
        var flags = new List<string>();
        while (rest.StartsWith("--", StringComparison.Ordinal))
        {
            var end = rest.IndexOfAny([' ', '\t']);
            flags.Add(end < 0 ? rest : rest[..end]);
            rest = end < 0 ? string.Empty : rest[(end + 1)..].TrimStart();
        }

        if (keyword is "RUN" or "COPY" or "ADD" && System.Text.RegularExpressions.Regex.IsMatch(rest, @"<<-?[""']?[A-Za-z_]"))
        {
            throw new DockerfileSyntaxException(file, line, $"{keyword} uses a heredoc, which these checks do not read; write it as a script file");
        }

        return new DockerInstruction(keyword, flags, rest, TryParseJsonArray(rest), line);
    }

    private static string[]? TryParseJsonArray(string body)
    {
        if (!body.StartsWith('['))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var items = new List<string>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                items.Add(element.GetString()!);
            }

            return [.. items];
        }
        catch (JsonException)
        {
            // Not valid JSON: Docker runs it in shell form, and so do we.
            return null;
        }
    }

    private static Dockerfile Build(
        string name,
        Dictionary<string, string> directives,
        List<DockerInstruction> instructions,
        List<DockerComment> comments)
    {
        var globalArgs = new Dictionary<string, string?>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        var index = 0;
        while (index < instructions.Count && instructions[index].Keyword != "FROM")
        {
            var instruction = instructions[index];
            if (instruction.Keyword != "ARG")
            {
                throw new DockerfileSyntaxException(name, instruction.Line, $"only ARG may come before the first FROM, not {instruction.Keyword}");
            }

            var (argName, argDefault) = SplitArg(instruction.Body);
            globalArgs[argName] = argDefault is null ? null : DockerVariables.Expand(argDefault, globalArgs);
            index++;
        }

        while (index < instructions.Count)
        {
            var from = instructions[index++];
            var words = from.Body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length is not (1 or 3) || (words.Length == 3 && !words[1].Equals("AS", StringComparison.OrdinalIgnoreCase)))
            {
                throw new DockerfileSyntaxException(name, from.Line, $"FROM must be 'FROM image [AS name]', got '{from.Body}'");
            }

            var body = new List<DockerInstruction>();
            while (index < instructions.Count && instructions[index].Keyword != "FROM")
            {
                body.Add(instructions[index++]);
            }

            stages.Add(new DockerStage(
                stages.Count,
                words.Length == 3 ? words[2] : null,
                words[0],
                DockerVariables.Expand(words[0], globalArgs),
                from,
                body));
        }

        return new Dockerfile(name, directives, instructions, comments, globalArgs, stages);
    }

    /// <summary>Splits an ARG body "NAME" or "NAME=default" (quotes around the default removed).</summary>
    public static (string Name, string? Default) SplitArg(string body)
    {
        var eq = body.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            return (body.Trim(), null);
        }

        return (body[..eq].Trim(), Unquote(body[(eq + 1)..].Trim()));
    }

    /// <summary>
    /// Splits an ENV body into pairs: "K=V K2=V2" (quotes honoured, escaped spaces kept) or the legacy
    /// "K V with spaces" form.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> SplitEnv(string body)
    {
        var firstSpace = body.IndexOfAny([' ', '\t']);
        var firstEq = body.IndexOf('=', StringComparison.Ordinal);
        if (firstEq < 0 || (firstSpace >= 0 && firstSpace < firstEq))
        {
            // Legacy form: ENV KEY the rest of the line is the value.
            return firstSpace < 0
                ? [new(body.Trim(), string.Empty)]
                : [new(body[..firstSpace], body[(firstSpace + 1)..].Trim())];
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var word in SplitShellWords(body))
        {
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(eq < 0 ? new(word, string.Empty) : new(word[..eq], word[(eq + 1)..]));
        }

        return pairs;
    }

    private static List<string> SplitShellWords(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null && c == '\\' && i + 1 < text.Length)
            {
                current.Append(text[++i]);
            }
            else if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (quote == c)
            {
                quote = null;
            }
            else if (quote is null && char.IsWhiteSpace(c))
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
