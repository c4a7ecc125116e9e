using MiniGpt5.Durable;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Orchestrations;

/// <summary>
/// How a failed step is retried: carried in the orchestration input (not read from settings inside the
/// orchestrator), so a settings change never alters the replay of a run in flight.
/// </summary>
/// <param name="MaxAttempts">Attempts in all, the first included.</param>
/// <param name="FirstRetrySeconds">Delay before the second attempt.</param>
/// <param name="BackoffCoefficient">Multiplier of the delay after each failed attempt.</param>
/// <param name="MaxRetrySeconds">Longest delay between attempts.</param>
public sealed record StepRetrySettings(int MaxAttempts = 3, double FirstRetrySeconds = 5, double BackoffCoefficient = 2, double MaxRetrySeconds = 300)
{
    /// <summary>The retry policy: failures caused by bad input (<see cref="ArgumentException"/>,
    /// <see cref="ManuscriptException"/>) or a model that cannot be loaded are not retried, since another attempt
    /// would fail the same way.</summary>
    public RetryPolicy ToPolicy() => new(Math.Max(1, MaxAttempts), TimeSpan.FromSeconds(Math.Max(0.001, FirstRetrySeconds)))
    {
        BackoffCoefficient = Math.Max(1, BackoffCoefficient),
        MaxRetryInterval = TimeSpan.FromSeconds(Math.Max(0.001, MaxRetrySeconds)),
        Handle = IsRetryable,
    };

    /// <summary>True for failures another attempt might not repeat.</summary>
    public static bool IsRetryable(FailureDetails failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return !(failure.IsCausedBy<ArgumentException>()
            || failure.IsCausedBy<ManuscriptException>()
            || failure.IsCausedBy<IllustrationFailedException>()
            || failure.ErrorType == "MiniGpt5.Functions.Hosting.ModelUnavailableException");
    }
}
