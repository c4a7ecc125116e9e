using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using MiniGpt5.Durable.TaskHub;

namespace MiniGpt5.Durable.Tests.Faults;

/// <summary>A real worker process (<c>dotnet MiniGpt5.Durable.TestWorker.dll ...</c>) that a test can kill -9 or SIGTERM.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process, string id)
    {
        _process = process;
        Id = id;
    }

    public string Id { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Lines printed so far that contain <paramref name="text"/>.</summary>
    public int CountLines(string text) => _output.Count(l => l.Contains(text, StringComparison.Ordinal));

    public static async Task<WorkerProcess> StartAsync(string id, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MiniGpt5.Durable.TestWorker.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The test worker '{dll}' was not built next to the tests.", dll);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments.Concat(["--worker-id", id]))
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, id);
        process.Exited += (_, _) => worker._ready.TrySetException(new InvalidOperationException($"Worker {id} exited during start-up."));
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start the test worker.");
        }

        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await worker._ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await worker.DisposeAsync();
            throw new InvalidOperationException($"Worker {id} did not report READY ({e.Message}). Output:{Environment.NewLine}{worker.Output}", e);
        }

        return worker;
    }

    /// <summary>SIGKILL: no drain, no lease release, nothing flushed.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM and wait for the graceful exit; returns the runtime statistics the worker printed.</summary>
    public async Task<DurableTaskHubStatistics?> StopGracefullyAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return ReadStats();
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run 'kill'."))
        {
            await kill.WaitForExitAsync();
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"Could not signal worker {Id} (pid {_process.Id}).");
            }
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return ReadStats();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private DurableTaskHubStatistics? ReadStats()
    {
        _process.WaitForExit(); // flush the redirected output
        var line = _output.LastOrDefault(l => l.StartsWith("STATS ", StringComparison.Ordinal));
        return line is null ? null : JsonSerializer.Deserialize<DurableTaskHubStatistics>(line["STATS ".Length..]);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.StartsWith("READY ", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
