namespace MiniGpt5.Functions.Books;

/// <summary>
/// Rules for paths inside a book folder, the same for blob names and local files: relative, '/'-separated,
/// segments of ASCII letters, digits, '.', '_' and '-' (no '.' or '..' segments, no leading dot), at most 256
/// characters. Anything else is refused, so a path can never escape the folder or mean different files on
/// different stores.
/// </summary>
public static class BookPath
{
    /// <summary>Longest path accepted.</summary>
    public const int MaxLength = 256;

    /// <summary>Returns <paramref name="relativePath"/> when it follows the rules; throws <see cref="ArgumentException"/> naming it otherwise.</summary>
    public static string Validate(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (Problem(relativePath) is { } problem)
        {
            throw new ArgumentException($"Book path '{relativePath}' {problem}", nameof(relativePath));
        }

        return relativePath;
    }

    /// <summary>True when <paramref name="relativePath"/> follows the rules.</summary>
    public static bool IsValid(string? relativePath) => relativePath is not null && Problem(relativePath) is null;

    private static string? Problem(string path)
    {
        if (path.Length == 0 || path.Length > MaxLength)
        {
            return $"must be 1 to {MaxLength} characters long.";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "has an empty segment (a leading, trailing or doubled '/').";
            }

            if (segment[0] == '.')
            {
                return "has a segment starting with '.' ('.', '..' and hidden names are not allowed).";
            }

            foreach (var c in segment)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
                {
                    return $"has the character '{c}'; use ASCII letters, digits, '.', '_', '-' and '/' only.";
                }
            }
        }

        return null;
    }
}
