using System.CommandLine;

namespace MiniGpt5.Cli.Commands.Train;

/// <summary>The `train` subcommands, one per model.</summary>
internal static class TrainCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return TrainNanoSdCommand.Create();
    }
}
