using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using MiniGpt5.Functions.Books;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// <c>GET /books/{manuscriptId}/{path}</c>: the files of an illustrated book, streamed from
/// <c>illustrated/{manuscriptId}/{path}</c> in blob storage, with ETag revalidation. Book pages are served with a
/// content security policy that allows no scripts and no network access beyond this book, since their text
/// comes from manuscripts.
/// </summary>
public static class BookFileEndpoints
{
    /// <summary>The policy book files are served with: styles inline, images from here or data: URIs, nothing else.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".xhtml"] = "application/xhtml+xml; charset=utf-8",
        [".md"] = "text/markdown; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".jsonl"] = "application/x-ndjson; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".webp"] = "image/webp",
        [".epub"] = "application/epub+zip",
    };

    /// <summary>Maps the route.</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods("/books/{manuscriptId}/{**path}", [HttpMethods.Get, HttpMethods.Head], GetAsync).WithName("GetBookFile");
    }

    private static async Task<IResult> GetAsync(
        string manuscriptId, string? path, HttpContext context, IBlobStore blobs, IOptions<HttpApiOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(path))
        {
            return TypedResults.Redirect($"{context.Request.PathBase}/books/{Uri.EscapeDataString(manuscriptId)}/index.html");
        }

        if (!BookPath.IsValid(manuscriptId) || manuscriptId.Contains('/', StringComparison.Ordinal))
        {
            return ApiProblems.BadRequest($"'{manuscriptId}' is not a manuscript id.");
        }

        if (!BookPath.IsValid(path))
        {
            return ApiProblems.BadRequest($"'{path}' is not a path inside a book (ASCII letters, digits, '.', '_', '-' and '/').");
        }

        var container = options.Value.BooksContainer;
        var blobName = $"{manuscriptId}/{path}";
        BlobDownload download;
        try
        {
            download = await blobs.GetAsync(container, blobName, cancellationToken: cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            return ApiProblems.NotFound($"Book '{manuscriptId}' has no file '{path}' (yet).");
        }

        var response = context.Response;
        var etag = download.Properties.ETag;
        response.Headers.ETag = etag.StartsWith('"') ? etag : $"\"{etag}\"";
        response.Headers.CacheControl = "private, no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (context.Request.Headers.IfNoneMatch.ToString() is { Length: > 0 } ifNoneMatch
            && ifNoneMatch.Split(',').Any(t => t.Trim() == response.Headers.ETag.ToString()))
        {
            await download.DisposeAsync();
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var contentType = ContentTypes.TryGetValue(Path.GetExtension(path), out var known) ? known : "application/octet-stream";
        if (path.EndsWith(".epub", StringComparison.OrdinalIgnoreCase))
        {
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName($"{manuscriptId}.epub");
            response.Headers.ContentDisposition = disposition.ToString();
        }

        // The stream result disposes the download when the body has been sent.
        return TypedResults.Stream(download.Content, contentType);
    }
}
