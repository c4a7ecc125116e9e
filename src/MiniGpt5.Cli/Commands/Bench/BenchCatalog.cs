using System.CommandLine;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>The `bench` subcommands, one per area.</summary>
internal static class BenchCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return BenchStorageCommand.Create();
        yield return BenchTextCommand.Create();
        yield return BenchDurableCommand.Create();
        yield return BenchOpsCommand.Create();
        yield return BenchLlamaCommand.Create();
        yield return BenchUnetCommand.Create();
        yield return BenchTrainCommand.Create();
    }
}
