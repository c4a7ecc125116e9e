namespace MiniGpt5.Testing;

/// <summary>Finds files in the repository from a test's working directory (bin/..., or artifacts/...).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The folder holding MiniGpt5.Functions.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>tests/golden: committed reference outputs written by tools/reference.</summary>
    public static string Golden => Path.Combine(RepoRoot, "tests", "golden");

    /// <summary>A path under tests/golden, which must exist.</summary>
    public static string GoldenFile(params string[] parts)
    {
        var path = Path.Combine([Golden, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException(
                $"Golden file '{path}' is missing. Goldens are committed; regenerate them with the script in tools/reference/.",
                path);
        }

        return path;
    }

    private static string FindRoot()
    {
        // Outputs usually sit under the checkout; with MINIGPT5_ARTIFACTS they may not, so the build
        // also records where the checkout was.
        var recorded = typeof(RepoPaths).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "MiniGpt5.RepoRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "MiniGpt5.Functions.sln")))
        {
            return Path.GetFullPath(recorded);
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MiniGpt5.Functions.sln")))
            {
                return dir.FullName;
            }

            dir = dir.Parent;
        }

        throw new InvalidOperationException(
            $"Could not find MiniGpt5.Functions.sln above '{AppContext.BaseDirectory}'. Run the tests from inside the repository.");
    }
}
