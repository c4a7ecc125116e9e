using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Books;

/// <summary>One step in <c>manifest.json</c>.</summary>
/// <param name="Number">1-based step number.</param>
/// <param name="Chapter">1-based chapter number.</param>
/// <param name="Text">The text the model illustrated.</param>
/// <param name="Status">Succeeded or failed (a step whose image is missing or unreadable counts as failed).</param>
/// <param name="Image">The image path when there is one.</param>
/// <param name="Seed">The planned seed.</param>
/// <param name="Settings">Settings the step ran with, when it ran.</param>
/// <param name="ModelName">Model name, when reported.</param>
/// <param name="ModelHash">Model hash, when reported.</param>
/// <param name="TimingsMs">Phase timings in milliseconds, sorted by name.</param>
/// <param name="Attempts">Attempts taken, when reported.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="Context">The earlier step texts the model was given.</param>
public sealed record BookManifestStep(
    int Number,
    int Chapter,
    string Text,
    StepStatus Status,
    string? Image,
    uint Seed,
    StepSettings? Settings,
    string? ModelName,
    string? ModelHash,
    IReadOnlyDictionary<string, double>? TimingsMs,
    int? Attempts,
    string? Error,
    IReadOnlyList<string> Context);
