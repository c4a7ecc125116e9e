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
        // The product first (illustrate, its service and operations), then the model, data and tooling commands.
        yield return Illustrate.IllustrateCommand.Create();
        yield return Serve.ServeCommand.Create();
        yield return Worker.WorkerCommand.Create();
        yield return Status.StatusCommand.Create();
        yield return Cancel.CancelCommand.Create();
        yield return Generate.GenerateCommand.Create();
        yield return Txt2Img.Txt2ImgCommand.Create();
        yield return Train.TrainCommand.Create();
        yield return Eval.EvalCommand.Create();
        yield return Dataset.DatasetCommand.Create();
        yield return Tokenize.TokenizeCommand.Create();
        yield return Convert.ConvertCommand.Create();
        yield return Bench.BenchCommand.Create();
    }
}
