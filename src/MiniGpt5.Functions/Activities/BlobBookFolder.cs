using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Activities;

/// <summary>
/// A book folder in blob storage (<c>illustrated/{manuscriptId}/</c>). Blob writes are atomic; create-only writes
/// use <c>If-None-Match: *</c>, so of two deliveries of one step only the first writes.
/// </summary>
public sealed class BlobBookFolder : IBookFolder
{
    private readonly IBlobStore _blobs;
    private bool _containerChecked;

    /// <summary>A folder at <paramref name="location"/>.</summary>
    public BlobBookFolder(IBlobStore blobs, BookLocation location)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(location);
        _blobs = blobs;
        Location = location;
    }

    /// <summary>Where the folder is.</summary>
    public BookLocation Location { get; }

    /// <inheritdoc />
    public async Task<bool> WriteFileAsync(string relativePath, ReadOnlyMemory<byte> content, bool createOnly, CancellationToken cancellationToken = default)
    {
        var name = Location.BlobName(BookPath.Validate(relativePath));
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var options = new BlobPutOptions
        {
            ContentType = ContentTypeOf(relativePath),
            Conditions = createOnly ? BlobConditions.CreateOnly : null,
        };
        try
        {
            using var stream = new MemoryStream(content.ToArray(), writable: false);
            await _blobs.PutAsync(Location.Container, name, stream, options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BlobAlreadyExistsException) when (createOnly)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadFileAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        var name = Location.BlobName(BookPath.Validate(relativePath));
        try
        {
            await using var download = await _blobs.GetAsync(Location.Container, name, cancellationToken: cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await download.Content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The content type a book file is served with.</summary>
    public static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".json" => "application/json",
        ".html" => "text/html; charset=utf-8",
        ".md" => "text/markdown; charset=utf-8",
        ".epub" => "application/epub+zip",
        ".jsonl" => "application/x-ndjson",
        _ => "application/octet-stream",
    };

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (!_containerChecked)
        {
            await _blobs.CreateContainerAsync(Location.Container, cancellationToken).ConfigureAwait(false);
            _containerChecked = true;
        }
    }
}
