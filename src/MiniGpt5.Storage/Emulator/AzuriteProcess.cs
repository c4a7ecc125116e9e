using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MiniGpt5.Storage.Emulator;

/// <summary>
/// A private Azurite (the Azure Storage emulator) for tests, benchmarks and local runs: started in memory on
/// free ports, so several can run side by side, and killed with its whole process tree on dispose.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable, IDisposable
{
    /// <summary>The emulator's well-known account (public, documented by Microsoft; not a secret).</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known key (public, documented by Microsoft; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int OutputTailLines = 40;

    private readonly Process _process;
    private readonly string _workDirectory;
    private readonly Queue<string> _outputTail;
    private int _disposed;

    private AzuriteProcess(Process process, string workDirectory, Queue<string> outputTail, Uri blob, Uri queue, Uri table)
    {
        _process = process;
        _workDirectory = workDirectory;
        _outputTail = outputTail;
        BlobEndpoint = blob;
        QueueEndpoint = queue;
        TableEndpoint = table;
    }

    /// <summary>Blob service URL, IP style: <c>http://127.0.0.1:port/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>Queue service URL.</summary>
    public Uri QueueEndpoint { get; }

    /// <summary>Table service URL.</summary>
    public Uri TableEndpoint { get; }

    /// <summary>Process id of the emulator.</summary>
    public int ProcessId => _process.Id;

    /// <summary>A full connection string for this instance (its ports are not the defaults, so UseDevelopmentStorage=true would miss it).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";

    /// <summary>
    /// Finds the Azurite launcher: <c>MINIGPT5_AZURITE</c> if set, else <c>tools/azurite/node_modules/.bin/azurite</c>
    /// in <paramref name="searchFrom"/> or any folder above it, else <c>azurite</c> on the PATH. Null when none exists.
    /// </summary>
    public static string? Locate(string? searchFrom = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MINIGPT5_AZURITE");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : null;
        }

        var launcher = OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite";
        for (var dir = new DirectoryInfo(searchFrom ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tools", "azurite", "node_modules", ".bin", launcher);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (folder.Length > 0 && File.Exists(Path.Combine(folder, launcher)))
            {
                return Path.Combine(folder, launcher);
            }
        }

        return null;
    }

    /// <summary>
    /// Starts Azurite from <paramref name="launcherPath"/> with in-memory persistence on ports the OS picks, and
    /// waits until blob, queue and table services listen.
    /// </summary>
    /// <param name="launcherPath">The <c>azurite</c> launcher (see <see cref="Locate"/>).</param>
    /// <param name="extentMemoryLimitMb">Cap on the emulator's in-memory blob bytes, or null for its default (half the RAM).</param>
    /// <param name="startTimeout">How long to wait for it to listen (default 60 s).</param>
    /// <param name="cancellationToken">Stops waiting (and kills the process).</param>
    public static async Task<AzuriteProcess> StartAsync(
        string launcherPath,
        int? extentMemoryLimitMb = null,
        TimeSpan? startTimeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(launcherPath);
        if (!File.Exists(launcherPath))
        {
            throw new FileNotFoundException($"Azurite launcher '{launcherPath}' does not exist.", launcherPath);
        }

        var workDirectory = Path.Combine(Path.GetTempPath(), "minigpt5-azurite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDirectory);
        var info = new ProcessStartInfo(launcherPath)
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in new[]
                 {
                     "--inMemoryPersistence", "--silent", "--disableTelemetry",
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", "0", "--queuePort", "0", "--tablePort", "0",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        if (extentMemoryLimitMb is { } limit)
        {
            info.ArgumentList.Add("--extentMemoryLimit");
            info.ArgumentList.Add(limit.ToString(CultureInfo.InvariantCulture));
        }

        var tail = new Queue<string>();
        var endpoints = new Dictionary<string, Uri>(StringComparer.Ordinal);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > OutputTailLines)
                {
                    tail.Dequeue();
                }

                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    endpoints[match.Groups["service"].Value] = new Uri(match.Groups["url"].Value.TrimEnd('/') + "/" + AccountName);
                    if (endpoints.Count == 3)
                    {
                        ready.TrySetResult();
                    }
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("Azurite exited during start-up."));
        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"Could not start '{launcherPath}'.");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            TryDeleteDirectory(workDirectory);
            throw new InvalidOperationException(
                $"Could not start Azurite from '{launcherPath}': {e.Message}. Is Node.js installed and on the PATH?", e);
        }

        // Keep draining its output for its whole life: a full pipe would stall the emulator.
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcessStarting(process, workDirectory);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(startTimeout ?? TimeSpan.FromSeconds(60));
            try
            {
                await ready.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string output;
                lock (tail)
                {
                    output = string.Join(Environment.NewLine, tail);
                }

                throw new InvalidOperationException(
                    $"Azurite ('{launcherPath}') did not start listening{(process.HasExited ? $" (it exited with code {process.ExitCode})" : string.Empty)}. Its output:{Environment.NewLine}{output}",
                    e);
            }

            azurite.Started = true;
            return new AzuriteProcess(process, workDirectory, tail, endpoints["Blob"], endpoints["Queue"], endpoints["Table"]);
        }
        finally
        {
            if (!azurite.Started)
            {
                azurite.Kill();
            }
        }
    }

    /// <summary>The last lines Azurite printed (for diagnosing a failed test).</summary>
    public string RecentOutput()
    {
        lock (_outputTail)
        {
            return string.Join(Environment.NewLine, _outputTail);
        }
    }

    /// <summary>Kills Azurite and everything it started.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        new AzuriteProcessStarting(_process, _workDirectory).Kill();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at (?<url>https?://\S+)")]
    private static partial Regex ListeningLine();

    /// <summary>Owns the process until start-up succeeds; kills it otherwise.</summary>
    private sealed class AzuriteProcessStarting(Process process, string workDirectory)
    {
        public bool Started { get; set; }

        public void Kill()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            finally
            {
                process.Dispose();
                TryDeleteDirectory(workDirectory);
            }
        }
    }
}
