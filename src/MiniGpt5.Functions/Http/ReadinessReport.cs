namespace MiniGpt5.Functions.Http;

/// <summary>The body of <c>/readyz</c>.</summary>
/// <param name="IsReady">Whether the app can take work.</param>
/// <param name="Reason">Why not, when it cannot.</param>
public sealed record ReadinessReport(bool IsReady, string? Reason)
{
    /// <summary>The ready answer.</summary>
    public static ReadinessReport Ready { get; } = new(true, null);
}
