using System.Text;

namespace MiniGpt5.Deployment.Tests.Dockerfiles;

/// <summary>
/// Dockerfile variable substitution: <c>$NAME</c>, <c>${NAME}</c>, <c>${NAME:-default}</c> and
/// <c>${NAME:+alternative}</c>. A variable with no known value is left as written, so rules can tell
/// an unresolved reference from a value.
/// </summary>
internal static class DockerVariables
{
    public static string Expand(string text, IReadOnlyDictionary<string, string?> values)
    {
        var result = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '$')
            {
                result.Append('$');
                i += 2;
                continue;
            }

            if (c != '$' || i + 1 >= text.Length)
            {
                result.Append(c);
                i++;
                continue;
            }

            if (text[i + 1] == '{')
            {
                var close = text.IndexOf('}', i + 2);
                if (close < 0)
                {
                    result.Append(text, i, text.Length - i);
                    break;
                }

                var inner = text[(i + 2)..close];
                result.Append(ExpandBraced(inner, values) ?? text[i..(close + 1)]);
                i = close + 1;
                continue;
            }

            var end = i + 1;
            while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
            {
                end++;
            }

            if (end == i + 1)
            {
                result.Append(c);
                i++;
                continue;
            }

            var name = text[(i + 1)..end];
            result.Append(values.TryGetValue(name, out var value) && value is not null ? value : text[i..end]);
            i = end;
        }

        return result.ToString();
    }

    private static string? ExpandBraced(string inner, IReadOnlyDictionary<string, string?> values)
    {
        var defaultAt = inner.IndexOf(":-", StringComparison.Ordinal);
        var alternativeAt = inner.IndexOf(":+", StringComparison.Ordinal);
        if (defaultAt > 0)
        {
            var name = inner[..defaultAt];
            return values.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : inner[(defaultAt + 2)..];
        }

        if (alternativeAt > 0)
        {
            var name = inner[..alternativeAt];
            return values.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? inner[(alternativeAt + 2)..] : string.Empty;
        }

        return values.TryGetValue(inner, out var value) ? value : null;
    }
}
