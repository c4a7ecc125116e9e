using System.CommandLine;

namespace MiniGpt5.Cli.Commands.Train;

/// <summary>
/// `minigpt5 train &lt;what&gt;`: training runs on our own engine. Each model adds its subcommand in its own file here
/// and one line to <see cref="TrainCatalog"/>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var train = new Command("train", "Train models with our own engine (resumable, deterministic from the seed).");
        foreach (var sub in TrainCatalog.All())
        {
            train.Subcommands.Add(sub);
        }

        return train;
    }
}
