using System.Globalization;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Orchestrations;
using Spectre.Console;

namespace MiniGpt5.Cli.Commands.App;

/// <summary>
/// Shows manuscript progress: a Spectre progress bar per manuscript on an interactive terminal, else one line on
/// standard error each time a manuscript's phase or counts change (logs and pipes stay readable).
/// </summary>
internal static class ProgressDisplay
{
    public static bool IsInteractive => !Console.IsErrorRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> while showing what it reports.</summary>
    public static async Task<T> RunAsync<T>(bool quiet, TextWriter stderr, Func<IProgress<IReadOnlyList<ManuscriptStatusView>>, Task<T>> work)
    {
        if (quiet)
        {
            return await work(new Progress<IReadOnlyList<ManuscriptStatusView>>(_ => { }));
        }

        if (!IsInteractive)
        {
            var shown = new Dictionary<string, string>(StringComparer.Ordinal);
            return await work(new InlineProgress(views =>
            {
                foreach (var v in views)
                {
                    var line = Describe(v);
                    if (!shown.TryGetValue(v.ManuscriptId, out var before) || before != line)
                    {
                        shown[v.ManuscriptId] = line;
                        stderr.WriteLine(line);
                    }
                }
            }));
        }

        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                result = await work(new InlineProgress(views =>
                {
                    foreach (var v in views)
                    {
                        if (!tasks.TryGetValue(v.ManuscriptId, out var task))
                        {
                            task = context.AddTask(Markup.Escape(Label(v)), maxValue: Math.Max(1, v.Total));
                            tasks[v.ManuscriptId] = task;
                        }

                        task.Description = Markup.Escape(Label(v));
                        task.MaxValue = Math.Max(1, v.Total);
                        task.Value = v.Done + v.Failed;
                        if (v.Phase is ProgressPhase.Completed or ProgressPhase.Failed)
                        {
                            task.Value = task.MaxValue;
                            task.StopTask();
                        }
                    }
                }));
            });
        return result;
    }

    private static string Label(ManuscriptStatusView v)
    {
        var name = v.Title ?? v.Source;
        if (name.Length > 40)
        {
            name = string.Concat(name.AsSpan(0, 39), "…");
        }

        var failed = v.Failed > 0 ? string.Create(CultureInfo.InvariantCulture, $", {v.Failed} failed") : string.Empty;
        return v.Phase switch
        {
            ProgressPhase.Planning => $"{name}: planning",
            ProgressPhase.AwaitingReview => $"{name}: awaiting review{failed}",
            ProgressPhase.Assembling => $"{name}: assembling{failed}",
            ProgressPhase.Completed => $"{name}: done{failed}",
            ProgressPhase.Failed => $"{name}: failed",
            _ => string.Create(CultureInfo.InvariantCulture, $"{name}: step {v.Done + v.Failed}/{v.Total}{failed}"),
        };
    }

    private static string Describe(ManuscriptStatusView v) =>
        string.Create(CultureInfo.InvariantCulture, $"{v.ManuscriptId}: {v.Phase.ToString().ToLowerInvariant()} {v.Done}/{v.Total} done, {v.Failed} failed");

    /// <summary>Reports synchronously on the caller's thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
    private sealed class InlineProgress(Action<IReadOnlyList<ManuscriptStatusView>> report) : IProgress<IReadOnlyList<ManuscriptStatusView>>
    {
        public void Report(IReadOnlyList<ManuscriptStatusView> value) => report(value);
    }
}
