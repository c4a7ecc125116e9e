using System.Globalization;
using System.Text.Json.Serialization;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// One illustration to make: what the <c>IllustrateStep</c> activity needs (text, context, seed) and what the
/// book shows (blocks). Serialisable: it travels through durable history.
/// </summary>
/// <param name="Number">Global 1-based step number (1..999).</param>
/// <param name="ChapterIndex">1-based chapter number.</param>
/// <param name="ChapterTitle">The chapter's title, or null.</param>
/// <param name="IndexInChapter">1-based position inside the chapter.</param>
/// <param name="Text">Plain text the model illustrates.</param>
/// <param name="Context">Texts of earlier steps, oldest first, capped in count and characters (MiniGPT-5's history).</param>
/// <param name="Seed">The step's seed (see <see cref="StepSeed"/>).</param>
/// <param name="Blocks">What the book shows for this step, with markup.</param>
/// <param name="SourceLine">1-based line in the source where the step starts, or 0 for JSON sources.</param>
public sealed record PlannedStep(
    int Number,
    int ChapterIndex,
    string? ChapterTitle,
    int IndexInChapter,
    string Text,
    IReadOnlyList<string> Context,
    uint Seed,
    IReadOnlyList<StepBlock> Blocks,
    int SourceLine)
{
    /// <summary>The zero-padded step number used in file names: <c>001</c>.</summary>
    [JsonIgnore]
    public string Key => Number.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>The step image inside the book folder: <c>steps/001.png</c>.</summary>
    [JsonIgnore]
    public string ImagePath => $"steps/{Key}.png";

    /// <summary>The step metadata inside the book folder: <c>steps/001.json</c>.</summary>
    [JsonIgnore]
    public string MetadataPath => $"steps/{Key}.json";
}
