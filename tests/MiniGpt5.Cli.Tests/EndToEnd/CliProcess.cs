using System.Collections.Concurrent;
using System.Diagnostics;

namespace MiniGpt5.Cli.Tests.EndToEnd;

/// <summary>
/// The built <c>minigpt5</c> CLI as a real process (<c>dotnet minigpt5.dll ...</c>, the dll the project reference
/// copies next to the tests), with its output kept for failure messages. Disposing kills its process tree.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private CliProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything it printed so far, stdout and stderr interleaved.</summary>
    public string Output => string.Join('\n', _output);

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "minigpt5.dll");

    public static CliProcess Start(string name, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(CliDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Settings from the developer's shell must not leak into the run: only what the test gives counts.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MiniGpt5__", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("AzureWebJobsStorage", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
            || k == "FUNCTIONS_CUSTOMHANDLER_PORT").ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var cli = new CliProcess(name, process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) cli._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) cli._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>SIGKILL: no drain, no hand-back, leases and messages left as they were.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }
}
