using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Activities;

/// <summary>
/// Reads and parses manuscript source files for <see cref="PlanManuscriptActivity"/>, keeping the last few parsed
/// files: every manuscript of a batch plans from the same file, which is then read and parsed once per worker
/// instead of once per manuscript. Entries are keyed by blob name and ETag, so a changed file is never served stale.
/// </summary>
public sealed class ManuscriptSourceCache
{
    private const int Capacity = 4;
    private readonly IBlobStore _blobs;
    private readonly ManuscriptReader _reader;
    private readonly LinkedList<(string Key, Task<IReadOnlyList<ManuscriptReadResult>> Results)> _entries = new();
    private readonly Lock _lock = new();

    /// <summary>A cache reading through <paramref name="blobs"/> with <paramref name="readerSettings"/>.</summary>
    public ManuscriptSourceCache(IBlobStore blobs, ManuscriptReaderSettings readerSettings)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        _blobs = blobs;
        _reader = new ManuscriptReader(readerSettings);
    }

    /// <summary>Every manuscript in <paramref name="source"/>'s file (the item key is not applied here).</summary>
    public Task<IReadOnlyList<ManuscriptReadResult>> ReadAsync(ManuscriptSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var key = $"{source.Blob.Container}/{source.Blob.Name}@{source.Blob.ETag}#{source.SourceName}";
        lock (_lock)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Key == key && !node.Value.Results.IsFaulted && !node.Value.Results.IsCanceled)
                {
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                    return node.Value.Results;
                }
            }

            // Not tied to one caller's token: other manuscripts of the batch wait on the same read.
            var task = LoadAsync(source, CancellationToken.None);
            _entries.AddFirst((key, task));
            while (_entries.Count > Capacity)
            {
                _entries.RemoveLast();
            }

            return task.WaitAsync(cancellationToken);
        }
    }

    private async Task<IReadOnlyList<ManuscriptReadResult>> LoadAsync(ManuscriptSource source, CancellationToken cancellationToken)
    {
        var conditions = source.Blob.ETag is { } etag ? BlobConditions.IfETagMatches(etag) : null;
        byte[] bytes;
        try
        {
            await using var download = await _blobs.GetAsync(source.Blob.Container, source.Blob.Name, conditions: conditions, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (download.Properties.ContentLength > _reader.Settings.MaxBatchBytes)
            {
                throw new ManuscriptException(new ManuscriptError(source.SourceName,
                    $"is {download.Properties.ContentLength} bytes, over the {_reader.Settings.MaxBatchBytes}-byte limit for a file."));
            }

            using var buffer = new MemoryStream();
            await download.Content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }
        catch (BlobNotFoundException e)
        {
            throw new ManuscriptException(new ManuscriptError(source.SourceName, $"its stored copy {source.Blob} no longer exists."), e);
        }
        catch (BlobConditionFailedException e)
        {
            throw new ManuscriptException(new ManuscriptError(source.SourceName, $"its stored copy {source.Blob} changed after it was submitted (ETag {source.Blob.ETag})."), e);
        }

        return _reader.Read(source.SourceName, bytes);
    }
}
