using System.Text.Json.Serialization;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// The answer the Azure Functions host expects from a custom handler for a non-HTTP trigger:
/// <c>{"Outputs": {}, "Logs": [...], "ReturnValue": null}</c> (PascalCase, as the host reads it).
/// </summary>
/// <param name="Logs">Lines for the invocation log.</param>
/// <param name="ReturnValue">The function's return value: always null here (no <c>$return</c> binding).</param>
public sealed record FunctionsInvocationResult(
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? ReturnValue = null)
{
    /// <summary>Output bindings: none for these functions.</summary>
    [JsonPropertyName("Outputs")]
    public IReadOnlyDictionary<string, object?> Outputs { get; } = new Dictionary<string, object?>();
}
