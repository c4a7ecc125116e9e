using System.CommandLine;
using MiniGpt5.Cli.Commands;

namespace MiniGpt5.Cli;

/// <summary>Entry point of the <c>minigpt5</c> command line.</summary>
public static class Program
{
    /// <summary>Runs one command. Exit codes: 0 success, 1 the work failed, 2 bad usage or input.</summary>
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand(
            "MiniGPT-5 for .NET: interleaved text-and-image generation, served as a durable batch-illustration service.");
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        return await root.Parse(args).InvokeAsync();
    }
}
