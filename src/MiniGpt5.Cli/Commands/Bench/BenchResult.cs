using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// One measured case, as ARCHITECTURE.md fixes it for `bench --json`: name, unit, ours, the anchor (its
/// name and value, measured in the same run) and ratio = ours / anchor, where higher is better. For
/// lower-is-better units (seconds, bytes) the producer inverts the ratio and says so in the unit.
/// </summary>
internal sealed record BenchResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("ours")] double Ours,
    [property: JsonPropertyName("anchor")] BenchAnchor Anchor,
    [property: JsonPropertyName("ratio")] double Ratio)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Builds a result whose ratio is ours / anchor (higher is better).</summary>
    public static BenchResult HigherIsBetter(string name, string unit, double ours, string anchorName, double anchor) =>
        new(name, unit, ours, new BenchAnchor(anchorName, anchor), anchor == 0 ? double.NaN : ours / anchor);

    /// <summary>Builds a result for a lower-is-better unit; the ratio is anchor / ours so that higher stays better.</summary>
    public static BenchResult LowerIsBetter(string name, string unit, double ours, string anchorName, double anchor) =>
        new(name, unit, ours, new BenchAnchor(anchorName, anchor), ours == 0 ? double.NaN : anchor / ours);

    /// <summary>One JSON object on one line.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A human line: name, ours, anchor, ratio.</summary>
    public string ToText() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name,-40} ours {Ours,12:G5} {Unit,-10} {Anchor.Name} {Anchor.Value,12:G5}  ratio {Ratio:F2}x");
}

/// <summary>The reference a benchmark is measured against.</summary>
internal sealed record BenchAnchor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] double Value);
