namespace MiniGpt5.Tensors.Serialization;

/// <summary>How a checkpoint's keys compare with what a model expects.</summary>
public sealed record KeyMatchReport(
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<ShapeMismatch> ShapeMismatches,
    IReadOnlyList<string> Ignored)
{
    /// <summary>True when nothing is missing, unexpected or misshapen (ignored keys do not count).</summary>
    public bool IsMatch => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatches.Count == 0;
}
