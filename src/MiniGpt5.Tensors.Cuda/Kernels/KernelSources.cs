using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace MiniGpt5.Tensors.Cuda.Kernels;

/// <summary>
/// The CUDA C++ kernel sources embedded in this assembly (Kernels/Sources/*.cu and the shared common.cuh), read
/// once. Each module's entry points are its <c>extern "C" __global__</c> functions.
/// </summary>
internal static partial class KernelSources
{
    private const string Prefix = "MiniGpt5.Tensors.Cuda.Kernels.";

    /// <summary>The header every module includes.</summary>
    public const string CommonHeader = "common.cuh";

    /// <summary>Module names: elementwise, norms, softmax, rope, attention.</summary>
    public static IReadOnlyList<string> Modules { get; } =
        [.. typeof(KernelSources).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".cu", StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..^3])
            .Order(StringComparer.Ordinal)];

    /// <summary>The source of a module ("attention") or header ("common.cuh").</summary>
    /// <exception cref="ArgumentException">No such embedded source.</exception>
    public static string Read(string name)
    {
        var resource = Prefix + (name.Contains('.', StringComparison.Ordinal) ? name : name + ".cu");
        using var stream = typeof(KernelSources).Assembly.GetManifestResourceStream(resource)
            ?? throw new ArgumentException($"No embedded CUDA source '{name}' (resource {resource}). Known modules: {string.Join(", ", Modules)}.", nameof(name));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The <c>extern "C" __global__</c> entry points a source defines, in order.</summary>
    public static IReadOnlyList<string> EntryPoints(string source) =>
        [.. EntryPointPattern().Matches(source).Select(m => m.Groups[1].Value)];

    /// <summary>The assembly the sources are embedded in.</summary>
    internal static Assembly Assembly => typeof(KernelSources).Assembly;

    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+void\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex EntryPointPattern();
}
