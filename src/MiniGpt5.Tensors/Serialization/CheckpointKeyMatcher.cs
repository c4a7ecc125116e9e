using System.Text.RegularExpressions;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// Strict loading: compares a checkpoint's tensors with the keys and shapes a model declares and reports
/// every difference at once (nanoGPT/tinygrad-style strictness, with the ignore lists real checkpoints need).
/// </summary>
public static class CheckpointKeyMatcher
{
    /// <summary>Compares without throwing.</summary>
    public static KeyMatchReport Match(
        IReadOnlyDictionary<string, CheckpointTensor> tensors,
        IEnumerable<ExpectedTensor> expected,
        KeyMatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(expected);
        options ??= KeyMatchOptions.Strict;
        var patterns = options.IgnoredPatterns.Select(ToRegex).ToList();
        bool IsIgnored(string key) =>
            options.IgnoredPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)) || patterns.Any(r => r.IsMatch(key));

        var missing = new List<string>();
        var mismatches = new List<ShapeMismatch>();
        var ignored = new List<string>();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in expected)
        {
            if (!wanted.Add(e.Name))
            {
                throw new ArgumentException($"The model declares '{e.Name}' twice.", nameof(expected));
            }

            if (IsIgnored(e.Name))
            {
                ignored.Add(e.Name);
                continue;
            }

            if (!tensors.TryGetValue(e.Name, out var tensor))
            {
                missing.Add(e.Name);
            }
            else if (!tensor.Shape.AsSpan().SequenceEqual(e.Shape.ToArray()))
            {
                mismatches.Add(new ShapeMismatch(e.Name, e.Shape, tensor.Shape));
            }
        }

        var unexpected = new List<string>();
        foreach (var key in tensors.Keys)
        {
            if (wanted.Contains(key))
            {
                continue;
            }

            if (IsIgnored(key))
            {
                ignored.Add(key);
            }
            else
            {
                unexpected.Add(key);
            }
        }

        return new KeyMatchReport(missing, unexpected, mismatches, ignored);
    }

    /// <summary>Compares and throws <see cref="CheckpointKeyMismatchException"/> listing every difference.</summary>
    public static KeyMatchReport EnsureMatch(
        IReadOnlyDictionary<string, CheckpointTensor> tensors,
        IEnumerable<ExpectedTensor> expected,
        string source,
        KeyMatchOptions? options = null)
    {
        options ??= KeyMatchOptions.Strict;
        var report = Match(tensors, expected, options);
        return report.IsMatch ? report : throw new CheckpointKeyMismatchException(source, report, options.MaxNamesListed);
    }

    private static Regex ToRegex(string glob) =>
        new("^" + string.Join(".*", glob.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));
}
