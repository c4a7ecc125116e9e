using System.Security.Cryptography;
using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Ingestion;

/// <summary>
/// Starts illustration runs: stores the submitted bytes content-addressed under
/// <c>manuscripts/_submitted/{sha256}/{name}</c> (the watcher skips that folder), reads them to decide between one
/// manuscript and a batch, and schedules <see cref="IllustrationNames.IllustrateManuscript"/> or
/// <see cref="IllustrationNames.IllustrateBatch"/> under a deterministic instance id, so submitting the same thing
/// twice finds the first run instead of paying for a second one:
/// <list type="bullet">
/// <item>HTTP and CLI submissions (<see cref="SubmitAsync"/>): id from the name + SHA-256 of the content. A
/// single manuscript that cannot be read is refused at once with a <see cref="ManuscriptException"/>.</item>
/// <item>Blob uploads (<see cref="SubmitBlobAsync"/>): id from the blob name + ETag, so a redelivered upload maps
/// to the same instance. A manuscript that cannot be read still starts, and fails with its message, because
/// nobody is waiting for an answer.</item>
/// </list>
/// A submitted run is found again (not repeated) when it completed, a failed or terminated one is started afresh;
/// an upload is started once whatever its outcome (upload it again to ask again).
/// </summary>
public sealed class ManuscriptSubmitter
{
    /// <summary>The container manuscripts are uploaded to (and submitted copies kept in).</summary>
    public const string ManuscriptsContainer = "manuscripts";

    /// <summary>The folder inside <see cref="ManuscriptsContainer"/> holding submitted copies; ingestion ignores it.</summary>
    public const string SubmittedPrefix = "_submitted/";

    private static readonly OrchestrationRuntimeStatus[] FoundAgain = [OrchestrationRuntimeStatus.Completed];

    // An upload is started exactly once, whatever its outcome: re-uploading is how a publisher asks again.
    private static readonly OrchestrationRuntimeStatus[] NeverAgain =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    private readonly DurableClient _client;
    private readonly IBlobStore _blobs;
    private readonly MiniGpt5Settings _settings;
    private readonly ManuscriptReader _reader;

    /// <summary>Creates a submitter over the task hub's client and the data account's blobs.</summary>
    public ManuscriptSubmitter(DurableClient client, IBlobStore blobs, MiniGpt5Settings settings)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(settings);
        _client = client;
        _blobs = blobs;
        _settings = settings;
        _reader = new ManuscriptReader(ReaderSettings(settings));
    }

    /// <summary>The reader limits the app uses everywhere (the activity re-reads with the same ones).</summary>
    public static ManuscriptReaderSettings ReaderSettings(MiniGpt5Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ManuscriptReaderSettings.Default with { MaxManuscriptBytes = settings.MaxManuscriptBytes };
    }

    /// <summary>
    /// Submits manuscript bytes posted over HTTP or given to the CLI. <paramref name="name"/> is the file name
    /// (its extension picks the format). Throws <see cref="ManuscriptException"/> when the options are invalid or
    /// a single manuscript cannot be read.
    /// </summary>
    public Task<Submission> SubmitAsync(string name, ReadOnlyMemory<byte> content, ManuscriptOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return SubmitCoreAsync(name, content, options, etag: null, cancellationToken);
    }

    /// <summary>
    /// Submits blob <paramref name="blobName"/> of the manuscripts container as uploaded at <paramref name="etag"/>,
    /// with the <paramref name="content"/> read at that ETag. Throws <see cref="ManuscriptException"/> only for
    /// invalid <paramref name="options"/>.
    /// </summary>
    public Task<Submission> SubmitBlobAsync(string blobName, string etag, ReadOnlyMemory<byte> content, ManuscriptOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        ArgumentException.ThrowIfNullOrWhiteSpace(etag);
        return SubmitCoreAsync(blobName, content, options, etag, cancellationToken);
    }

    private StepRetrySettings Retry => new(_settings.StepMaxAttempts, _settings.StepRetrySeconds);

    private async Task<Submission> SubmitCoreAsync(string name, ReadOnlyMemory<byte> content, ManuscriptOptions? options, string? etag, CancellationToken cancellationToken)
    {
        options = options?.Validated(name);
        string Id(string? itemKey) => etag is null ? ManuscriptId.ForContent(name, content.Span, itemKey) : ManuscriptId.ForBlob(name, etag, itemKey);

        var results = _reader.Read(name, content.Span);
        var isBatch = results.Count > 1 || results[0].ItemKey is not null;
        if (!isBatch && !results[0].Succeeded && etag is null)
        {
            throw new ManuscriptException(results[0].Error!);
        }

        var source = new ManuscriptSource(await StoreAsync(name, content, cancellationToken).ConfigureAwait(false), name);
        var instanceId = Id(null);
        var existing = await _client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        var dedupe = etag is null ? FoundAgain : NeverAgain;
        var alreadyExisted = existing is not null && (!existing.RuntimeStatus.IsTerminal() || dedupe.Contains(existing.RuntimeStatus));
        var start = new StartOrchestrationOptions
        {
            InstanceId = instanceId,
            IfDuplicate = DuplicateStartBehavior.ReturnExisting,
            DedupeStatuses = dedupe,
        };

        if (!isBatch)
        {
            var book = BookLocation.For(instanceId);
            var input = new IllustrateManuscriptInput(instanceId, source, options, book, Retry);
            await _client.ScheduleNewOrchestrationAsync(IllustrationNames.IllustrateManuscript, input, start, cancellationToken).ConfigureAwait(false);
            var error = results[0].Error?.ToString();
            return new Submission(instanceId, IllustrationNames.IllustrateManuscript, false, alreadyExisted,
                [new SubmittedManuscript(instanceId, results[0].Manuscript?.Source ?? name, book, error)], source);
        }

        var items = new List<BatchItem>(results.Count);
        var manuscripts = new List<SubmittedManuscript>(results.Count);
        foreach (var (result, index) in results.Select((r, i) => (r, i)))
        {
            // A file that failed as a whole has no item key: give it one so it still appears (and fails) on its own.
            var itemKey = result.ItemKey ?? $"item-{index + 1}";
            var id = Id(itemKey);
            var label = result.Manuscript?.Source ?? result.Error?.Source ?? $"{name}, {itemKey}";
            items.Add(new BatchItem(id, itemKey, label));
            manuscripts.Add(new SubmittedManuscript(id, label, BookLocation.For(id), result.Error?.ToString()));
        }

        var batchInput = new IllustrateBatchInput(instanceId, source, items, options, _settings.BatchConcurrency, _settings.BatchToleratedFailures, Retry);
        await _client.ScheduleNewOrchestrationAsync(IllustrationNames.IllustrateBatch, batchInput, start, cancellationToken).ConfigureAwait(false);
        return new Submission(instanceId, IllustrationNames.IllustrateBatch, true, alreadyExisted, manuscripts, source);
    }

    /// <summary>Stores the bytes create-only under their content hash; a second copy of the same bytes is not written.</summary>
    private async Task<BlobReference> StoreAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var blobName = $"{SubmittedPrefix}{hash}/{name.TrimStart('/')}";
        await _blobs.CreateContainerAsync(ManuscriptsContainer, cancellationToken).ConfigureAwait(false);
        try
        {
            using var stream = new MemoryStream(content.ToArray(), writable: false);
            var written = await _blobs.PutAsync(ManuscriptsContainer, blobName, stream,
                new BlobPutOptions { Conditions = BlobConditions.CreateOnly, ContentType = "application/octet-stream" }, cancellationToken).ConfigureAwait(false);
            return new BlobReference(ManuscriptsContainer, blobName, written.ETag);
        }
        catch (BlobAlreadyExistsException)
        {
            var properties = await _blobs.GetPropertiesAsync(ManuscriptsContainer, blobName, cancellationToken).ConfigureAwait(false);
            return new BlobReference(ManuscriptsContainer, blobName, properties.ETag);
        }
    }
}
