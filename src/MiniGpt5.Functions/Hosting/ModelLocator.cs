namespace MiniGpt5.Functions.Hosting;

/// <summary>
/// Turns a model setting (<c>--model</c>, <c>MiniGpt5__Model</c>) into a MiniGPT-5 model folder (one holding
/// <c>minigpt5.json</c>). The one place that knows where the built-in <c>nano</c> model lives:
/// <list type="number">
/// <item>the folder in the <c>MINIGPT5_NANO_MODEL</c> environment variable;</item>
/// <item><c>models/nano</c> next to the running program (the CLI copies the repository's model there when it builds);</item>
/// <item><c>models/nano</c> in the current directory or the nearest parent that has one (a checkout of the repository).</item>
/// </list>
/// </summary>
public static class ModelLocator
{
    /// <summary>The name of the built-in model.</summary>
    public const string NanoName = "nano";

    /// <summary>The environment variable that points at the nano model folder.</summary>
    public const string NanoEnvironmentVariable = "MINIGPT5_NANO_MODEL";

    /// <summary>The file that marks a MiniGPT-5 model folder.</summary>
    public const string ConfigFile = "minigpt5.json";

    /// <summary>
    /// The model folder for <paramref name="model"/> (<c>nano</c> or a path). Throws
    /// <see cref="ModelUnavailableException"/> naming every place it looked.
    /// </summary>
    public static string Resolve(string model, string? currentDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (string.Equals(model.Trim(), NanoName, StringComparison.OrdinalIgnoreCase))
        {
            return ResolveNano(currentDirectory ?? Directory.GetCurrentDirectory());
        }

        var folder = Path.GetFullPath(model.Trim());
        if (File.Exists(folder) && string.Equals(Path.GetFileName(folder), ConfigFile, StringComparison.OrdinalIgnoreCase))
        {
            return Path.GetDirectoryName(folder)!;
        }

        if (!Directory.Exists(folder))
        {
            throw new ModelUnavailableException($"The model folder '{folder}' does not exist (give a folder holding {ConfigFile}, or 'nano').");
        }

        return File.Exists(Path.Combine(folder, ConfigFile))
            ? folder
            : throw new ModelUnavailableException($"The folder '{folder}' holds no {ConfigFile}, so it is not a MiniGPT-5 model folder.");
    }

    private static string ResolveNano(string currentDirectory)
    {
        var tried = new List<string>();
        var fromEnvironment = Environment.GetEnvironmentVariable(NanoEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            var folder = Path.GetFullPath(fromEnvironment);
            if (File.Exists(Path.Combine(folder, ConfigFile)))
            {
                return folder;
            }

            // An explicit setting that points nowhere is a mistake to report, not to paper over.
            throw new ModelUnavailableException($"{NanoEnvironmentVariable} is '{folder}', which holds no {ConfigFile}.");
        }

        tried.Add($"{NanoEnvironmentVariable} (not set)");
        var besideProgram = Path.Combine(AppContext.BaseDirectory, "models", NanoName);
        if (File.Exists(Path.Combine(besideProgram, ConfigFile)))
        {
            return besideProgram;
        }

        tried.Add(besideProgram);
        for (var directory = new DirectoryInfo(Path.GetFullPath(currentDirectory)); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "models", NanoName);
            if (File.Exists(Path.Combine(candidate, ConfigFile)))
            {
                return candidate;
            }
        }

        tried.Add($"models/{NanoName} in '{currentDirectory}' and its parents");
        throw new ModelUnavailableException(
            $"The nano model was not found; looked in: {string.Join("; ", tried)}. Set {NanoEnvironmentVariable}, or pass --model <folder>.");
    }
}
