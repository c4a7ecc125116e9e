using System.Text.Json;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Client;

/// <summary>An instance's status as a client sees it.</summary>
public sealed record OrchestrationMetadata
{
    /// <summary>The instance id.</summary>
    public required string InstanceId { get; init; }

    /// <summary>The orchestrator name.</summary>
    public required string Name { get; init; }

    /// <summary>The workflow version stamped on the instance.</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>The current execution (ContinueAsNew starts a new one).</summary>
    public string ExecutionId { get; init; } = string.Empty;

    /// <summary>Where the instance stands.</summary>
    public OrchestrationRuntimeStatus RuntimeStatus { get; init; }

    /// <summary>When the instance (its first execution) was scheduled, UTC.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>When its status document was last written, UTC.</summary>
    public DateTime LastUpdatedAt { get; init; }

    /// <summary>When it finished, UTC; null while it runs.</summary>
    public DateTime? CompletedAt { get; init; }

    /// <summary>The requested start time of a scheduled start, UTC.</summary>
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

    /// <summary>The input, deserialized with the hub's serializer options.</summary>
    public T? ReadInputAs<T>() => PayloadJson.Deserialize<T>(SerializedInput, Json);

    /// <summary>The output (or the termination reason), deserialized.</summary>
    public T? ReadOutputAs<T>() => PayloadJson.Deserialize<T>(SerializedOutput, Json);

    /// <summary>The custom status, deserialized.</summary>
    public T? ReadCustomStatusAs<T>() => PayloadJson.Deserialize<T>(SerializedCustomStatus, Json);
}
