using System.Text.Json.Serialization;

namespace MiniGpt5.Functions.Books;

/// <summary>
/// What illustrating one step produced: the <c>IllustrateStep</c> activity's result, and the content of
/// <c>steps/{NNN}.json</c>. The image travels by reference (<see cref="ImagePath"/>, relative to the book
/// folder); <see cref="ImagePng"/> lets an in-process caller hand over bytes instead and is never serialised, so
/// images never enter durable history.
/// </summary>
public sealed record StepResult
{
    /// <summary>The plan's step number (1-based).</summary>
    public required int StepNumber { get; init; }

    /// <summary>Succeeded or failed.</summary>
    public required StepStatus Status { get; init; }

    /// <summary>The step text that was illustrated (for <c>steps/NNN.json</c> to stand alone); the book uses the plan's.</summary>
    public string? Text { get; init; }

    /// <summary>Where the PNG is, relative to the book folder (normally <c>steps/NNN.png</c>).</summary>
    public string? ImagePath { get; init; }

    /// <summary>The PNG itself, for in-process callers; written to the step's image path create-only by the assembler.</summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte>? ImagePng { get; init; }

    /// <summary>The seed used.</summary>
    public uint Seed { get; init; }

    /// <summary>Settings used, when the step ran.</summary>
    public StepSettings? Settings { get; init; }

    /// <summary>Model name (for example <c>nano</c> or <c>minigpt5-vicuna7b-sd21</c>).</summary>
    public string? ModelName { get; init; }

    /// <summary>A hash identifying the exact weights (for example SHA-256 of the checkpoint files).</summary>
    public string? ModelHash { get; init; }

    /// <summary>Phase timings in milliseconds (for example <c>text</c>, <c>denoise</c>, <c>decode</c>, <c>total</c>).</summary>
    public IReadOnlyDictionary<string, double>? TimingsMs { get; init; }

    /// <summary>How many attempts the step took.</summary>
    public int? Attempts { get; init; }

    /// <summary>Why the step failed, for <see cref="StepStatus.Failed"/>.</summary>
    public string? Error { get; init; }
}
