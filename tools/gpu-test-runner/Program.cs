using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

namespace MiniGpt5.GpuTestRunner;

/// <summary>
/// A minimal xunit v2 runner by reflection: runs every method of a test assembly carrying an attribute derived from
/// Xunit.FactAttribute (honouring its Skip), [Theory] with [InlineData] rows, constructors without arguments and
/// IDisposable test classes. It knows no fixtures or collections; the GPU tests need none. It does not reference xunit:
/// the attributes are read by name, so it runs against whatever xunit version the test assembly carries.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("usage: GpuTestRunner <tests.dll> [--filter <substring of Class.Method>]");
            return args.Length == 0 ? 2 : 0;
        }

        var assemblyPath = Path.GetFullPath(args[0]);
        if (!File.Exists(assemblyPath))
        {
            Console.Error.WriteLine($"GpuTestRunner: no test assembly at '{assemblyPath}'.");
            return 2;
        }

        var filter = args.Length >= 3 && args[1] == "--filter" ? args[2] : null;
        var directory = Path.GetDirectoryName(assemblyPath)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(assemblyPath);

        int passed = 0, failed = 0, skipped = 0;
        foreach (var test in TestCase.Discover(assembly).Where(t => filter is null || t.DisplayName.Contains(filter, StringComparison.Ordinal)))
        {
            if (test.SkipReason is { } reason)
            {
                skipped++;
                Console.WriteLine($"SKIP {test.DisplayName}: {reason}");
                continue;
            }

            var clock = Stopwatch.StartNew();
            var failure = await test.RunAsync().ConfigureAwait(false);
            if (failure is null)
            {
                passed++;
                Console.WriteLine($"PASS {test.DisplayName} ({clock.ElapsedMilliseconds} ms)");
            }
            else
            {
                failed++;
                Console.WriteLine($"FAIL {test.DisplayName} ({clock.ElapsedMilliseconds} ms)");
                Console.WriteLine(Indent(failure.ToString()));
            }
        }

        Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 ? 0 : 1;
    }

    private static string Indent(string text) => "    " + text.ReplaceLineEndings(Environment.NewLine + "    ");
}
