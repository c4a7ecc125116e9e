namespace MiniGpt5.Cli.Commands.Generate;

/// <summary>
/// The generate arguments. Sampling settings are null when not given, so each kind of folder keeps its own defaults
/// (MiniGPT-5's release settings for a MiniGPT-5 folder, transformers' sampling defaults for a plain LLaMA folder).
/// </summary>
internal sealed record GenerateArguments(
    string Model,
    string? Prompt,
    string? Ids,
    IReadOnlyList<string> Images,
    ulong Seed,
    int MaxNewTokens,
    double? Temperature,
    int? TopK,
    double? TopP,
    double? RepetitionPenalty,
    int Steps,
    double Guidance,
    string? Output,
    bool Force,
    bool Json);
