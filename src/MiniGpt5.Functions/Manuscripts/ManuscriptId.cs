using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Deterministic manuscript ids: <c>{slug}-{hash}</c>, where the slug is the file name (and batch item key) in
/// lower-case ASCII letters, digits and hyphens (at most 40 characters) and the hash is the first 16 hex digits
/// (64 bits) of SHA-256 over UTF-8 <c>"minigpt5/manuscript-id/v1\n{name}\n{version}\n{itemKey}"</c>.
/// The id names the durable instance and the book folder <c>illustrated/{id}/</c>, so the same upload must
/// always give the same id, and a new upload a new one:
/// <list type="bullet">
/// <item><b>Blob ingestion uses the blob name + ETag</b> (<see cref="ForBlob"/>): each upload of
/// <c>manuscripts/x.md</c> gets a new ETag and so exactly one new orchestration, even when the content is the
/// same (re-uploading is how a publisher asks for a re-run); a redelivered blob event for the same upload
/// maps to the same id, and starting an instance that already exists is a no-op.</item>
/// <item><b>HTTP posts and the CLI use the name + SHA-256 of the content</b> (<see cref="ForContent"/>): there is
/// no ETag, and posting the same bytes twice should find the existing book rather than pay for it again.</item>
/// </list>
/// Items of a batch file add their item key (<c>line-3</c>, <c>story-45530</c>) to the same file version.
/// </summary>
public static partial class ManuscriptId
{
    private const int MaxSlugLength = 40;

    /// <summary>The id of a manuscript in blob <paramref name="blobName"/> (the name inside the container) at <paramref name="etag"/>.</summary>
    public static string ForBlob(string blobName, string etag, string? itemKey = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(etag);
        // The same ETag arrives quoted from HTTP headers and bare from event payloads.
        return Create(blobName, "etag:" + etag.Trim().Trim('"'), itemKey);
    }

    /// <summary>The id of a manuscript named <paramref name="sourceName"/> with bytes <paramref name="content"/>.</summary>
    public static string ForContent(string sourceName, ReadOnlySpan<byte> content, string? itemKey = null) =>
        Create(sourceName, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)), itemKey);

    /// <summary>True for a string shaped like an id this class makes.</summary>
    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    private static string Create(string name, string version, string? itemKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var material = $"minigpt5/manuscript-id/v1\n{name}\n{version}\n{itemKey}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..16];
        return $"{Slug(ManuscriptOrigin.TitleFromName(name) + (itemKey is null ? string.Empty : "-" + itemKey))}-{hash}";
    }

    private static string Slug(string text)
    {
        var slug = new StringBuilder(MaxSlugLength);
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }

            if (slug.Length >= MaxSlugLength)
            {
                break;
            }
        }

        var result = slug.ToString().Trim('-');
        return result.Length == 0 ? "manuscript" : result;
    }

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{16}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
