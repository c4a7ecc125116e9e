using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// Answers <c>/readyz</c>: the host has started and the storage account answers. One listing call with a short
/// timeout; any answer from the service, even "container not found", proves it is reachable. The result is
/// cached for a moment so frequent probes do not each cost a storage call.
/// </summary>
public sealed class StorageReadinessProbe : IDisposable
{
    /// <summary>How long one storage check may take before the host counts as not ready.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private readonly IBlobStore _blobs;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly HttpApiOptions _options;
    private readonly ILogger<StorageReadinessProbe> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ReadinessReport? _last;
    private DateTimeOffset _lastAt;

    /// <summary>Creates the probe.</summary>
    public StorageReadinessProbe(
        IBlobStore blobs, IHostApplicationLifetime lifetime, IOptions<HttpApiOptions> options, ILogger<StorageReadinessProbe> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _blobs = blobs;
        _lifetime = lifetime;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Whether the app can take work now, and if not, why.</summary>
    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        if (!_lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return new ReadinessReport(false, "The host is still starting.");
        }

        if (_lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return new ReadinessReport(false, "The host is stopping.");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_last is not null && _time.GetUtcNow() - _lastAt < CacheFor)
            {
                return _last;
            }

            _last = await ProbeStorageAsync(cancellationToken);
            _lastAt = _time.GetUtcNow();
            return _last;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private async Task<ReadinessReport> ProbeStorageAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await _blobs.ListPageAsync(_options.BooksContainer, new BlobListOptions(PageSize: 1), cancellationToken: timeout.Token);
            return ReadinessReport.Ready;
        }
        catch (BlobNotFoundException)
        {
            return ReadinessReport.Ready; // the service answered; the container appears with the first book
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Readiness: storage did not answer within {Timeout}.", CheckTimeout);
            return new ReadinessReport(false, $"Storage did not answer within {CheckTimeout.TotalSeconds:0} s.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Readiness: storage is not reachable.");
            return new ReadinessReport(false, $"Storage is not reachable: {e.GetType().Name}: {e.Message}");
        }
    }
}
