using System.Text.Json.Serialization;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Source-generated JSON for the manuscript and plan records (camelCase, enums as strings, nulls omitted), so
/// they can travel through durable history and HTTP without reflection.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(Manuscript))]
[JsonSerializable(typeof(ManuscriptPlan))]
[JsonSerializable(typeof(PlannedStep))]
[JsonSerializable(typeof(ManuscriptOptions))]
[JsonSerializable(typeof(ManuscriptError))]
[JsonSerializable(typeof(ManuscriptReadResult))]
[JsonSerializable(typeof(IReadOnlyList<ManuscriptReadResult>))]
public sealed partial class ManuscriptJsonContext : JsonSerializerContext;
