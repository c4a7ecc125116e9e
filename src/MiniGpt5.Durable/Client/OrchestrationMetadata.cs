using System.Text.Json;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Client;

/// <summary>An instance's status as a client sees it.</summary>
public sealed record OrchestrationMetadata
{
    public required string InstanceId { get; init; }

    public required string Name { get; init; }

    /// <summary>The workflow version stamped on the instance.</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>The current execution (ContinueAsNew starts a new one).</summary>
    public string ExecutionId { get; init; } = string.Empty;

    public OrchestrationRuntimeStatus RuntimeStatus { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime LastUpdatedAt { get; init; }

    public DateTime? CompletedAt { get; init; }

    public DateTime? ScheduledStartAt { get; init; }

    /// <summary>Input JSON (null unless inputs and outputs were asked for).</summary>
    public string? SerializedInput { get; init; }

    /// <summary>Output JSON when Completed; the reason (a JSON string) when Terminated.</summary>
    public string? SerializedOutput { get; init; }

    /// <summary>Custom status JSON as the orchestrator last set it.</summary>
    public string? SerializedCustomStatus { get; init; }

    /// <summary>What went wrong, when Failed: type, message, stack trace, inner failure.</summary>
    public FailureDetails? FailureDetails { get; init; }

    /// <summary>The parent, for a sub-orchestration.</summary>
    public ParentOrchestrationInfo? Parent { get; init; }

    /// <summary>Executions so far (1 + ContinueAsNew count).</summary>
    public int Generation { get; init; } = 1;

    /// <summary>Events in the current execution's history.</summary>
    public int HistoryEvents { get; init; }

    /// <summary>Pending, Running or Suspended.</summary>
    public bool IsRunning => !RuntimeStatus.IsTerminal();

    /// <summary>Completed, Failed or Terminated.</summary>
    public bool IsCompleted => RuntimeStatus.IsTerminal();

    internal JsonSerializerOptions Json { get; init; } = PayloadJson.DefaultOptions;

    public T? ReadInputAs<T>() => PayloadJson.Deserialize<T>(SerializedInput, Json);

    public T? ReadOutputAs<T>() => PayloadJson.Deserialize<T>(SerializedOutput, Json);

    public T? ReadCustomStatusAs<T>() => PayloadJson.Deserialize<T>(SerializedCustomStatus, Json);
}
