using System.Text.Json.Serialization;

namespace MiniGpt5.Durable;

/// <summary>The orchestration that started this one as a sub-orchestration.</summary>
/// <param name="InstanceId">The parent's instance id.</param>
/// <param name="ExecutionId">The parent's execution id.</param>
/// <param name="TaskId">The sequence number of the call in the parent's history.</param>
/// <param name="Name">The parent's orchestrator name.</param>
public sealed record ParentOrchestrationInfo(
    [property: JsonPropertyName("instance")] string InstanceId,
    [property: JsonPropertyName("execution")] string ExecutionId,
    [property: JsonPropertyName("task")] int TaskId,
    [property: JsonPropertyName("name")] string Name);
