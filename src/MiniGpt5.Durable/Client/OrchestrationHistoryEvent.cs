namespace MiniGpt5.Durable.Client;

/// <summary>One history event: its type (for example <c>TaskScheduled</c>), when it was written, and its stored JSON.</summary>
public sealed record OrchestrationHistoryEvent(string EventType, DateTime Timestamp, string Json);
