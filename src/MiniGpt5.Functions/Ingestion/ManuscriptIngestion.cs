using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MiniGpt5.Durable.Client;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Ingestion;

/// <summary>
/// Starts an orchestration for each new blob under <c>manuscripts/</c>, exactly once per upload (blob name +
/// ETag → instance id; an instance that exists in any state is never started again). Two entry points: a blob
/// event (<see cref="IngestBlobAsync"/>, the Functions <c>IngestManuscript</c> trigger) and polling
/// (<see cref="ScanOnceAsync"/> / <see cref="RunAsync"/>, for hosts without events, such as Azurite or the local
/// store). Blobs under <c>_submitted/</c> (copies kept by <see cref="ManuscriptSubmitter"/>) are ignored.
/// </summary>
public sealed class ManuscriptIngestion
{
    private readonly IBlobStore _blobs;
    private readonly DurableClient _client;
    private readonly ManuscriptSubmitter _submitter;
    private readonly MiniGpt5Settings _settings;
    private readonly ILogger _logger;

    // Uploads this process has seen handled: saves one status read per blob per scan.
    private readonly HashSet<string> _handled = new(StringComparer.Ordinal);

    /// <summary>Creates the ingestion over the data account and the task hub.</summary>
    public ManuscriptIngestion(IBlobStore blobs, DurableClient client, ManuscriptSubmitter submitter, MiniGpt5Settings settings, ILogger<ManuscriptIngestion>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(submitter);
        ArgumentNullException.ThrowIfNull(settings);
        _blobs = blobs;
        _client = client;
        _submitter = submitter;
        _settings = settings;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Handles an upload of <paramref name="blobName"/> (inside the manuscripts container) at <paramref name="etag"/>:
    /// returns the submission it started, or null when that upload was already handled, was replaced by a newer one
    /// (its own event will come), or is outside what ingestion watches.
    /// </summary>
    public async Task<Submission?> IngestBlobAsync(string blobName, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        ArgumentException.ThrowIfNullOrWhiteSpace(etag);
        if (IsIgnored(blobName))
        {
            return null;
        }

        var key = $"{blobName}\n{etag.Trim('"')}";
        lock (_handled)
        {
            if (_handled.Contains(key))
            {
                return null;
            }
        }

        var instanceId = ManuscriptId.ForBlob(blobName, etag);
        if (await _client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is not null)
        {
            lock (_handled)
            {
                _handled.Add(key);
            }

            return null;
        }

        byte[] content;
        try
        {
            await using var download = await _blobs.GetAsync(ManuscriptSubmitter.ManuscriptsContainer, blobName,
                conditions: BlobConditions.IfETagMatches(etag), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (download.Properties.ContentLength > ManuscriptSubmitter.ReaderSettings(_settings).MaxBatchBytes)
            {
                // Read nothing: the orchestration reports the size, as the reader would.
                content = [];
            }
            else
            {
                using var buffer = new MemoryStream();
                await download.Content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                content = buffer.ToArray();
            }
        }
        catch (Exception e) when (e is BlobConditionFailedException or BlobNotFoundException)
        {
            return null; // replaced or deleted since: the newer upload is handled on its own
        }

        var submission = await _submitter.SubmitBlobAsync(blobName, etag, content, cancellationToken: cancellationToken).ConfigureAwait(false);
        lock (_handled)
        {
            _handled.Add(key);
        }

        if (!submission.AlreadyExisted)
        {
            _logger.LogInformation("Started {Orchestration} {InstanceId} for manuscripts/{Blob}", submission.OrchestrationName, submission.InstanceId, blobName);
        }

        return submission.AlreadyExisted ? null : submission;
    }

    /// <summary>Lists the manuscripts container once and ingests every upload not yet handled; returns what it started.</summary>
    public async Task<IReadOnlyList<Submission>> ScanOnceAsync(CancellationToken cancellationToken = default)
    {
        await _blobs.CreateContainerAsync(ManuscriptSubmitter.ManuscriptsContainer, cancellationToken).ConfigureAwait(false);
        var started = new List<Submission>();
        string? continuation = null;
        do
        {
            var page = await _blobs.ListPageAsync(ManuscriptSubmitter.ManuscriptsContainer, new BlobListOptions(PageSize: 500), continuation, cancellationToken).ConfigureAwait(false);
            foreach (var blob in page.Blobs.Where(b => !IsIgnored(b.Name)))
            {
                try
                {
                    if (await IngestBlobAsync(blob.Name, blob.ETag, cancellationToken).ConfigureAwait(false) is { } submission)
                    {
                        started.Add(submission);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad upload must not stop the others; the next scan tries it again.
                    _logger.LogError(e, "Could not ingest manuscripts/{Blob}", blob.Name);
                }
            }

            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return started;
    }

    /// <summary>Scans every <c>MiniGpt5__IngestionPollSeconds</c> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(_settings.IngestionPollSeconds);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ScanOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "A manuscripts scan failed; the next scan tries again.");
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True for names ingestion never starts anything for (the submitter's copies, folder markers).</summary>
    public static bool IsIgnored(string blobName) =>
        blobName.StartsWith(ManuscriptSubmitter.SubmittedPrefix, StringComparison.Ordinal) || blobName.EndsWith('/');
}
