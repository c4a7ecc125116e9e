namespace MiniGpt5.Storage;

/// <summary>
/// ETags travel quoted (<c>"0x8DC..."</c>), as HTTP wants them; callers sometimes pass them bare. Both stores
/// accept either form and compare the quoted one.
/// </summary>
internal static class ETagText
{
    public static string Quote(string etag)
    {
        if (etag == "*" || (etag.Length >= 2 && etag[0] == '"' && etag[^1] == '"'))
        {
            return etag;
        }

        // A weak validator (W/"...") is kept as is; the service compares it literally.
        return etag.StartsWith("W/", StringComparison.Ordinal) ? etag : $"\"{etag}\"";
    }

    public static bool Matches(string current, string condition) =>
        condition == "*" || string.Equals(Quote(current), Quote(condition), StringComparison.Ordinal);
}
