using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// Wall-clock time per op kind, forward and backward, for finding the kernels a training step spends its time in
/// (dotnet-counters-free). Forward time is the time from the previous recorded op (or the tape's start) to the op's
/// record call, so it includes any untracked work in between; backward time is each node's backward formula. Off by
/// default; <see cref="Enabled"/> turns it on for the whole process.
/// </summary>
public static class AutogradProfiler
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, (double Seconds, long Calls)> Forward = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, (double Seconds, long Calls)> Backward = new(StringComparer.Ordinal);

    /// <summary>Whether tapes record timings.</summary>
    public static bool Enabled { get; set; }

    /// <summary>Clears the totals.</summary>
    public static void Reset()
    {
        lock (Gate)
        {
            Forward.Clear();
            Backward.Clear();
        }
    }

    /// <summary>A table of the op kinds by total time, forward and backward, with their share.</summary>
    public static string Report(int top = 20)
    {
        lock (Gate)
        {
            var text = new StringBuilder();
            foreach (var (title, table) in new[] { ("forward", Forward), ("backward", Backward) })
            {
                var total = table.Values.Sum(v => v.Seconds);
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{title}: {total:F2} s"));
                foreach (var (name, (seconds, calls)) in table.OrderByDescending(e => e.Value.Seconds).Take(top))
                {
                    text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-28} {seconds,8:F3} s {100 * seconds / Math.Max(total, 1e-12),5:F1}% {calls,8} calls"));
                }
            }

            return text.ToString();
        }
    }

    internal static long Timestamp() => Stopwatch.GetTimestamp();

    internal static void AddForward(string kind, long since) => Add(Forward, kind, since);

    internal static void AddBackward(string kind, long since) => Add(Backward, kind, since);

    private static void Add(Dictionary<string, (double Seconds, long Calls)> table, string kind, long since)
    {
        var seconds = Stopwatch.GetElapsedTime(since).TotalSeconds;
        lock (Gate)
        {
            var (total, calls) = table.GetValueOrDefault(kind);
            table[kind] = (total + seconds, calls + 1);
        }
    }
}
