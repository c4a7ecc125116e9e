using System.Text;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// Strict loading failed: the message lists the missing keys, the unexpected keys and the shape mismatches
/// together (each list capped), and <see cref="Report"/> has them all.
/// </summary>
public sealed class CheckpointKeyMismatchException : CheckpointException
{
    /// <summary>Creates the error for the checkpoint <paramref name="source"/> (a file, folder or list of files).</summary>
    public CheckpointKeyMismatchException(string source, KeyMatchReport report, int maxNamesListed = 20)
        : base(BuildMessage(source, report, maxNamesListed), source, null)
    {
        Report = report;
    }

    /// <summary>The complete comparison.</summary>
    public KeyMatchReport Report { get; }

    private static string BuildMessage(string source, KeyMatchReport report, int max)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append($"Checkpoint '{source}' does not match the model: ")
            .Append($"{report.Missing.Count} missing, {report.Unexpected.Count} unexpected, {report.ShapeMismatches.Count} with a different shape");
        if (report.Ignored.Count > 0)
        {
            text.Append($" ({report.Ignored.Count} ignored by prefix or pattern)");
        }

        text.Append('.');
        AppendList(text, "missing from the checkpoint", report.Missing, max);
        AppendList(text, "unexpected in the checkpoint", report.Unexpected, max);
        AppendList(text, "shape mismatches", report.ShapeMismatches.Select(m => m.ToString()).ToList(), max);
        return text.ToString();
    }

    private static void AppendList(StringBuilder text, string title, IReadOnlyList<string> names, int max)
    {
        if (names.Count == 0)
        {
            return;
        }

        text.Append('\n').Append($"  {title} ({names.Count}): ");
        text.AppendJoin(", ", names.Take(Math.Max(max, 0)));
        if (names.Count > max)
        {
            text.Append($", ... and {names.Count - max} more");
        }
    }
}
