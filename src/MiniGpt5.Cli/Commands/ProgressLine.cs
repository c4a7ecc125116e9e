using System.Diagnostics;

namespace MiniGpt5.Cli.Commands;

/// <summary>
/// Progress of a long command as one line on stderr: redrawn in place on a terminal (at most every 250 ms, and
/// when the work completes), one line per tenth of the work when stderr goes to a log. <paramref name="describe"/>
/// turns a report and the time since the start into the completed fraction and the text to show. Reports may
/// come from several threads.
/// </summary>
internal sealed class ProgressLine<T>(TextWriter writer, Func<T, TimeSpan, (double Fraction, string Text)> describe) : IProgress<T>
{
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private long _lastTick = -1000;
    private int _lastDecile = -1;

    public void Report(T value)
    {
        lock (_gate)
        {
            var (fraction, text) = describe(value, _clock.Elapsed);
            if (_interactive)
            {
                if (_clock.ElapsedMilliseconds - _lastTick >= 250 || fraction >= 1)
                {
                    _lastTick = _clock.ElapsedMilliseconds;
                    writer.Write("\r" + text.PadRight(72));
                }
            }
            else if ((int)(fraction * 10) > _lastDecile)
            {
                _lastDecile = (int)(fraction * 10);
                writer.WriteLine(text);
            }
        }
    }

    /// <summary>Ends the redrawn line on a terminal so later output starts on its own line.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_interactive)
            {
                writer.WriteLine();
            }
        }
    }
}
