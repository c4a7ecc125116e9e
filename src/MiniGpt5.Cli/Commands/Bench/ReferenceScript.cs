using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// Runs one of the PyTorch anchor scripts in tools/reference/ (found from the working folder or from where minigpt5
/// runs, walking up to the repository) with /usr/bin/python3 and reads the one JSON object it prints last. Anything
/// that keeps the anchor from running comes back as a problem sentence, never as a made-up number.
/// </summary>
internal static class ReferenceScript
{
    /// <summary>tools/reference/<paramref name="name"/> under <paramref name="directory"/> or the nearest repository above us, or null.</summary>
    public static string? Find(string name, string? directory)
    {
        if (directory is not null)
        {
            var given = Path.Combine(directory, name);
            return File.Exists(given) ? Path.GetFullPath(given) : null;
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, "tools", "reference", name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Runs the script; returns its JSON result or why there is none.</summary>
    public static async Task<(JsonObject? Result, string? Problem)> RunAsync(
        string python, string script, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (null, $"PyTorch anchor unavailable: cannot start {python} ({e.Message}).");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                return (null, string.Create(CultureInfo.InvariantCulture, $"PyTorch anchor gave no result within {timeout.TotalSeconds:F0} s ({script})."));
            }

            var output = await stdout;
            var errors = (await stderr).Trim();
            var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (process.ExitCode != 0 || last is null || !last.StartsWith('{'))
            {
                var tail = errors.Length > 600 ? errors[^600..] : errors;
                return (null, $"PyTorch anchor unavailable: {python} {Path.GetFileName(script)} exited with {process.ExitCode}: {tail}");
            }

            return (JsonNode.Parse(last)!.AsObject(), null);
        }
    }
}
