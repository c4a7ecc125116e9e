using System.Diagnostics;
using MiniGpt5.Testing;

namespace MiniGpt5.Deployment.Tests.Scripts;

/// <summary>Runs an infra/ script with bash and captures its exit code and output.</summary>
internal static class ScriptRunner
{
    private static readonly Lazy<string?> BashPath = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "bash"))
            .FirstOrDefault(File.Exists));

    public static string? Bash => BashPath.Value;

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Bash ?? throw new InvalidOperationException("bash is not installed"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.RepoRoot,
        };
        start.ArgumentList.Add(Path.Combine(RepoPaths.RepoRoot, "infra", "scripts", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} {string.Join(' ', arguments)} did not finish in 30 s");
        }

        return (process.ExitCode, await output, await error);
    }
}
