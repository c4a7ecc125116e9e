using MiniGpt5.Functions.Books;

namespace MiniGpt5.Functions.Schedules;

/// <summary>One line of a dataset run's <c>manifest.jsonl</c>.</summary>
/// <param name="Schedule">The schedule.</param>
/// <param name="RunId">The run.</param>
/// <param name="RunSeed">The run's seed.</param>
/// <param name="Index">Record number.</param>
/// <param name="Prompt">The text.</param>
/// <param name="Seed">The record's seed.</param>
/// <param name="Image">The image path relative to the run folder, when there is one.</param>
/// <param name="Status">Succeeded or failed.</param>
/// <param name="Settings">Generation settings used.</param>
/// <param name="Model">Model name.</param>
/// <param name="ModelHash">Model hash.</param>
/// <param name="Error">Why it failed.</param>
public sealed record DatasetManifestLine(
    string Schedule,
    string RunId,
    uint RunSeed,
    int Index,
    string Prompt,
    uint Seed,
    string? Image,
    StepStatus Status,
    StepSettings? Settings,
    string? Model,
    string? ModelHash,
    string? Error);
