namespace MiniGpt5.Durable.Client;

/// <summary>One committed checkpoint (episode) of an execution's history, for debugging and tools.</summary>
/// <param name="Number">Checkpoint number, from 1.</param>
/// <param name="Events">Its events in order.</param>
/// <param name="CustomStatus">The custom status JSON at the end of the episode.</param>
public sealed record OrchestrationHistoryCheckpoint(int Number, IReadOnlyList<OrchestrationHistoryEvent> Events, string? CustomStatus);
