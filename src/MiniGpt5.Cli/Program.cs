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

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // System.CommandLine would exit 1; bad usage is 2 here so scripts can tell it from failed work.
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            await Console.Error.WriteLineAsync("Run 'minigpt5 --help' (or the command with --help) for usage.");
            return 2;
        }

        // SIGTERM/Ctrl+C cancel the command's token; the default 2 s grace would cut a worker's drain short (a GPU
        // step can take a minute). Container Apps waits up to its termination grace period; match it.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(150) });
    }
}
