using System.Text.Json;
using MiniGpt5.Testing;

namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>The repository's bicep/ folder, parsed once per test run.</summary>
internal static class DeploymentTemplates
{
    private static readonly Lazy<IReadOnlyList<BicepFile>> Files = new(() =>
        Directory.EnumerateFiles(Folder, "*.bicep", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(BicepFile.Load)
            .ToList());

    public static string Folder => Path.Combine(RepoPaths.RepoRoot, "bicep");

    public static IReadOnlyList<BicepFile> All => Files.Value;

    public static BicepFile Main => Get("main.bicep");

    public static IEnumerable<string> ParameterFiles => Directory.EnumerateFiles(Folder, "*.parameters.json").Order(StringComparer.Ordinal);

    /// <summary>A file by its path relative to bicep/ ('/'-separated).</summary>
    public static BicepFile Get(string relativePath) =>
        All.Single(f => Path.GetFullPath(f.Path) == Path.GetFullPath(Path.Combine(Folder, relativePath)));

    /// <summary>The file a module declaration in <paramref name="from"/> points at.</summary>
    public static BicepFile Target(BicepFile from, ModuleDeclaration module) =>
        All.Single(f => Path.GetFullPath(f.Path) == Path.GetFullPath(Path.Combine(Path.GetDirectoryName(from.Path)!, module.Path)));

    /// <summary>The "parameters" of an ARM parameters file, as evaluator values.</summary>
    public static Dictionary<string, object?> ReadParameterFile(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("parameters").EnumerateObject()
            .ToDictionary(p => p.Name, p => FromJson(p.Value.GetProperty("value")), StringComparer.Ordinal);
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetInt64(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        _ => throw new InvalidOperationException($"unexpected JSON {e.ValueKind}"),
    };
}
