using System.Net.Http;
using Microsoft.Extensions.Logging;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// Retries storage operations that failed transiently (HTTP 408/429/500/502/503/504, connection and I/O
/// errors, client-side timeouts) with exponential back-off and jitter. Conditional failures (404, 409, 412)
/// are answers, not faults, and pass straight through. Every operation the runtime retries is safe to repeat:
/// sends may duplicate (receivers de-duplicate), appends are position-checked, puts are conditional.
/// </summary>
internal sealed class StorageRetry(int attempts, TimeSpan firstDelay, ILogger logger)
{
    public async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(cancellationToken);
            }
            catch (Exception e) when (attempt < attempts && IsTransient(e, cancellationToken))
            {
                var delay = Delay(attempt);
                DurableLog.StorageRetry(logger, operation, attempt, attempts, delay.TotalMilliseconds, e.Message);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    public async Task RunAsync(string operation, Func<CancellationToken, Task> action, CancellationToken cancellationToken) =>
        await RunAsync<bool>(
            operation,
            async ct =>
            {
                await action(ct);
                return true;
            },
            cancellationToken);

    /// <summary>Whether <paramref name="e"/> is worth retrying.</summary>
    public static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        BlobNotFoundException or BlobAlreadyExistsException or BlobConditionFailedException or BlobLeaseConflictException
            or QueueMessageNotFoundException or StorageConfigurationException => false,
        StorageException { Status: 408 or 429 or 500 or 502 or 503 or 504 } => true,
        StorageException { Status: 0, ErrorCode: "ServiceUnreachable" or "Timeout" } => !cancellationToken.IsCancellationRequested,
        StorageException { Status: 0, InnerException: { } inner } => IsTransient(inner, cancellationToken),
        HttpRequestException => true,
        TimeoutException => true,
        IOException and not FileNotFoundException and not DirectoryNotFoundException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private TimeSpan Delay(int attempt)
    {
        var baseMs = firstDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Min(baseMs * jitter, 10_000));
    }
}
