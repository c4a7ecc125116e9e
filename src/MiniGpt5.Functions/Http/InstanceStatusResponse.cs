using System.Text.Json;
using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;

namespace MiniGpt5.Functions.Http;

/// <summary>One instance as the API shows it (Durable Functions' status shape, plus failure and parent).</summary>
/// <param name="Name">Orchestrator name.</param>
/// <param name="InstanceId">Instance id.</param>
/// <param name="RuntimeStatus">Pending, Running, Suspended, Completed, Failed, Terminated or ContinuedAsNew.</param>
/// <param name="CreatedTime">When it was scheduled (UTC).</param>
/// <param name="LastUpdatedTime">Last change (UTC).</param>
/// <param name="CompletedTime">When it finished (UTC), or null.</param>
/// <param name="CustomStatus">What the orchestration last published as its progress, as JSON.</param>
/// <param name="Input">Its input as JSON (left out unless asked for).</param>
/// <param name="Output">Its result as JSON (left out unless asked for).</param>
/// <param name="Failure">Why it failed: error type and message (no stack trace).</param>
/// <param name="ParentInstanceId">The batch (parent orchestration) it belongs to, if any.</param>
public sealed record InstanceStatusResponse(
    string Name,
    string InstanceId,
    OrchestrationRuntimeStatus RuntimeStatus,
    DateTime CreatedTime,
    DateTime LastUpdatedTime,
    DateTime? CompletedTime,
    JsonElement? CustomStatus,
    JsonElement? Input,
    JsonElement? Output,
    InstanceFailure? Failure,
    string? ParentInstanceId)
{
    /// <summary>Projects <paramref name="metadata"/>; input and output only when <paramref name="showInputAndOutput"/>.</summary>
    public static InstanceStatusResponse From(OrchestrationMetadata metadata, bool showInputAndOutput)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new InstanceStatusResponse(
            metadata.Name,
            metadata.InstanceId,
            metadata.RuntimeStatus,
            metadata.CreatedAt,
            metadata.LastUpdatedAt,
            metadata.CompletedAt,
            Parse(metadata.SerializedCustomStatus),
            showInputAndOutput ? Parse(metadata.SerializedInput) : null,
            showInputAndOutput ? Parse(metadata.SerializedOutput) : null,
            metadata.FailureDetails is { } f ? new InstanceFailure(f.ErrorType, f.ErrorMessage, f.InnerFailure?.ErrorMessage) : null,
            metadata.Parent?.InstanceId);
    }

    private static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // A payload that is not JSON (never written by this runtime, but history is data) is shown as text.
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
