namespace MiniGpt5.Durable;

/// <summary>
/// How an activity or sub-orchestration call is retried. Retries are part of the orchestration's history (a
/// failed attempt, a durable timer, a new attempt), so they survive restarts and replay deterministically.
/// Delay before attempt n+1 = <see cref="FirstRetryInterval"/> × <see cref="BackoffCoefficient"/>^(n-1),
/// capped at <see cref="MaxRetryInterval"/>; retrying stops after <see cref="MaxAttempts"/> attempts, when
/// the next attempt would start later than <see cref="RetryTimeout"/> after the first, or when
/// <see cref="Handle"/> says no.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <param name="maxAttempts">Attempts in all, at least 1 (1 means no retry).</param>
    /// <param name="firstRetryInterval">Delay between the first and second attempt; positive.</param>
    public RetryPolicy(int maxAttempts, TimeSpan firstRetryInterval)
    {
        if (maxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "A retry policy needs at least 1 attempt.");
        }

        if (firstRetryInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(firstRetryInterval), firstRetryInterval, "The first retry interval must be positive.");
        }

        MaxAttempts = maxAttempts;
        FirstRetryInterval = firstRetryInterval;
    }

    /// <summary>Attempts in all, including the first.</summary>
    public int MaxAttempts { get; }

    /// <summary>Delay between the first and the second attempt.</summary>
    public TimeSpan FirstRetryInterval { get; }

    /// <summary>Multiplier applied to the delay after each failed attempt; 1 (the default) keeps it constant.</summary>
    public double BackoffCoefficient
    {
        get => _backoffCoefficient;
        init
        {
            if (!(value >= 1.0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(BackoffCoefficient), value, "The backoff coefficient must be a finite number >= 1.");
            }

            _backoffCoefficient = value;
        }
    }

    /// <summary>Longest delay between two attempts. Default 1 hour.</summary>
    public TimeSpan MaxRetryInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>No attempt starts later than this after the first one; <see cref="Timeout.InfiniteTimeSpan"/> (the default) means no limit.</summary>
    public TimeSpan RetryTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Decides from the failure whether to retry (for example only transient error types). Runs inside the
    /// orchestrator, so it must be deterministic. Null retries every failure.
    /// </summary>
    public Func<FailureDetails, bool>? Handle { get; init; }

    private readonly double _backoffCoefficient = 1.0;

    /// <summary>The delay after failed attempt number <paramref name="failedAttempt"/> (1-based).</summary>
    public TimeSpan GetDelay(int failedAttempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        var ticks = FirstRetryInterval.Ticks * Math.Pow(BackoffCoefficient, failedAttempt - 1);
        var capped = Math.Min(ticks, MaxRetryInterval.Ticks);
        return TimeSpan.FromTicks((long)Math.Max(0, capped));
    }

    /// <summary>Whether to make another attempt after <paramref name="failedAttempt"/> failed, <paramref name="elapsed"/> after the first started.</summary>
    public bool ShouldRetry(int failedAttempt, FailureDetails failure, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (failedAttempt >= MaxAttempts)
        {
            return false;
        }

        if (RetryTimeout != Timeout.InfiniteTimeSpan && elapsed + GetDelay(failedAttempt) > RetryTimeout)
        {
            return false;
        }

        return Handle?.Invoke(failure) ?? true;
    }
}
