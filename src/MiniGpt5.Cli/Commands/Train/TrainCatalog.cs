using System.CommandLine;

namespace MiniGpt5.Cli.Commands.Train;

/// <summary>The `train` subcommands, one per model.</summary>
internal static class TrainCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return TrainStageCommand.Create(1);
        yield return TrainStageCommand.Create(2);
        yield return TrainNanoSdCommand.Create();
        yield return TrainNanoCommand.Create();
    }
}
