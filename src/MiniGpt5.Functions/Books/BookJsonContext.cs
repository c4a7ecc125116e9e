using System.Text.Json.Serialization;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// Source-generated JSON for book records: <c>manifest.json</c> (indented, for people), step results
/// (<c>steps/NNN.json</c> and activity results) and assembly results. camelCase, enums as strings, nulls omitted.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(BookManifest))]
[JsonSerializable(typeof(StepResult))]
[JsonSerializable(typeof(IReadOnlyList<StepResult>))]
[JsonSerializable(typeof(BookAssemblyResult))]
public sealed partial class BookJsonContext : JsonSerializerContext;
