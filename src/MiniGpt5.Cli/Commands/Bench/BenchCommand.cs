using System.CommandLine;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// `minigpt5 bench &lt;what&gt;`: benchmarks that print ours beside an anchor measured in the same run.
/// Each area adds its subcommand in its own file here.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure speed beside an anchor from the same run (add --json for machine-readable output).");
        foreach (var sub in BenchCatalog.All())
        {
            bench.Subcommands.Add(sub);
        }

        return bench;
    }
}
