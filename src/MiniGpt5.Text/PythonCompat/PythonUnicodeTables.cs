using System.Globalization;
using System.Reflection;
using System.Text;

namespace MiniGpt5.Text.PythonCompat;

/// <summary>
/// The Unicode and HTML tables Python 3.11 uses (unicodedata 14.0.0, <c>str.lower</c>, <c>html.unescape</c>),
/// written by tools/reference/text_goldens.py into an embedded resource. We build with invariant
/// globalization, where .NET cannot normalize to NFC, and .NET's casing differs from Python's in places
/// (U+0130, final sigma); CLIP's text cleanup must match Python's.
/// </summary>
internal sealed class PythonUnicodeTables
{
    private const string ResourceName = "MiniGpt5.Text.python-unicode-tables.txt";
    private static readonly Lazy<PythonUnicodeTables> Loaded = new(Load);

    private PythonUnicodeTables()
    {
    }

    public static PythonUnicodeTables Instance => Loaded.Value;

    /// <summary>Canonical combining class of every code point whose class is not 0.</summary>
    public Dictionary<int, byte> CombiningClass { get; } = [];

    /// <summary>One-level canonical decompositions (Hangul syllables excluded: algorithmic).</summary>
    public Dictionary<int, int[]> Decomposition { get; } = [];

    /// <summary>Primary composites by their two-code-point decomposition, key = first &lt;&lt; 21 | second.</summary>
    public Dictionary<long, int> Composition { get; } = [];

    /// <summary><c>str.lower()</c> for every code point it changes.</summary>
    public Dictionary<int, string> Lower { get; } = [];

    /// <summary>Ranges of the Cased property (for the final-sigma rule), sorted.</summary>
    public (int First, int Last)[] Cased { get; private set; } = [];

    /// <summary>Ranges of Case_Ignorable that are not Cased (for the final-sigma rule), sorted.</summary>
    public (int First, int Last)[] CaseIgnorable { get; private set; } = [];

    /// <summary><c>html.entities.html5</c>: names (with and without ';') to replacement text.</summary>
    public Dictionary<string, string> HtmlEntities { get; } = new(StringComparer.Ordinal);

    /// <summary><c>html._invalid_charrefs</c>: numeric references remapped (e.g. &amp;#x80; to €).</summary>
    public Dictionary<int, string> HtmlInvalidCharRefs { get; } = [];

    /// <summary><c>html._invalid_codepoints</c>: numeric references that become "".</summary>
    public HashSet<int> HtmlInvalidCodePoints { get; } = [];

    public static bool InRanges((int First, int Last)[] ranges, int codePoint)
    {
        int lo = 0, hi = ranges.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (codePoint < ranges[mid].First)
            {
                hi = mid - 1;
            }
            else if (codePoint > ranges[mid].Last)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    private static PythonUnicodeTables Load()
    {
        using var stream = typeof(PythonUnicodeTables).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from {typeof(PythonUnicodeTables).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var tables = new PythonUnicodeTables();
        var excluded = new HashSet<int>();
        var cased = new List<(int, int)>();
        var ignorable = new List<(int, int)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length < 2 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split(' ');
            switch (fields[0])
            {
                case "C":
                    for (int cp = Hex(fields[1]), last = Hex(fields[2]); cp <= last; cp++)
                    {
                        tables.CombiningClass[cp] = byte.Parse(fields[3], CultureInfo.InvariantCulture);
                    }

                    break;
                case "D":
                    tables.Decomposition[Hex(fields[1])] = [.. fields.Skip(2).Select(Hex)];
                    break;
                case "X":
                    excluded.Add(Hex(fields[1]));
                    break;
                case "L":
                    tables.Lower[Hex(fields[1])] = CodePoints(fields.Skip(2));
                    break;
                case "K":
                    cased.Add((Hex(fields[1]), Hex(fields[2])));
                    break;
                case "I":
                    ignorable.Add((Hex(fields[1]), Hex(fields[2])));
                    break;
                case "E":
                    tables.HtmlEntities[fields[1]] = CodePoints(fields.Skip(2));
                    break;
                case "R":
                    tables.HtmlInvalidCharRefs[Hex(fields[1])] = CodePoints(fields.Skip(2));
                    break;
                case "V":
                    tables.HtmlInvalidCodePoints.Add(Hex(fields[1]));
                    break;
                default:
                    throw new InvalidDataException($"{ResourceName}: unknown line kind in '{line}'.");
            }
        }

        foreach (var (composite, parts) in tables.Decomposition)
        {
            if (parts.Length == 2 && !excluded.Contains(composite))
            {
                tables.Composition[((long)parts[0] << 21) | (uint)parts[1]] = composite;
            }
        }

        tables.Cased = [.. cased];
        tables.CaseIgnorable = [.. ignorable];
        return tables;
    }

    private static int Hex(string s) => int.Parse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static string CodePoints(IEnumerable<string> hex)
    {
        var builder = new StringBuilder();
        foreach (var h in hex)
        {
            builder.Append(char.ConvertFromUtf32(Hex(h)));
        }

        return builder.ToString();
    }
}
