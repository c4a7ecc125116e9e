using System.CommandLine;

namespace MiniGpt5.Cli.Commands;

/// <summary>
/// Every top-level command, in the order `minigpt5 --help` lists them. Each command lives in its own folder
/// under Commands/ and exposes a static Create() method.
/// </summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return Tokenize.TokenizeCommand.Create();
        yield return Bench.BenchCommand.Create();
        yield return Convert.ConvertCommand.Create();
        yield return Dataset.DatasetCommand.Create();
        yield return Train.TrainCommand.Create();
        yield return Eval.EvalCommand.Create();
    }
}
