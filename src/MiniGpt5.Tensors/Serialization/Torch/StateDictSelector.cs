using System.Globalization;
using MiniGpt5.Tensors.Serialization.Pickle;

namespace MiniGpt5.Tensors.Serialization.Torch;

/// <summary>
/// Finds the tensors in an unpickled checkpoint: picks the state dictionary (by convention or by the key the
/// caller names) and flattens nested dictionaries and lists into dotted names, as PyTorch's
/// <c>state_dict()</c> keys read.
/// </summary>
internal static class StateDictSelector
{
    /// <summary>Wrapper keys tried in order when the top level holds no tensors itself.</summary>
    public static readonly string[] ConventionalKeys = ["state_dict", "model", "module", "model_state_dict"];

    private const int MaxDepth = 64;

    /// <summary>Returns the container to expose and its path ("" for the top level).</summary>
    public static (object? Node, string Path) Select(object? root, string? key, string filePath)
    {
        if (key is null)
        {
            if (root is not PickleDictionary top || top.Values.Any(v => v is TorchTensorRef))
            {
                return (root, string.Empty);
            }

            foreach (var candidate in ConventionalKeys)
            {
                if (top.TryGetValue(candidate, out var inner) && inner is PickleDictionary)
                {
                    return (inner, candidate);
                }
            }

            return (root, string.Empty);
        }

        var node = root;
        var walked = new List<string>();
        foreach (var part in key.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node is not PickleDictionary dict || !dict.TryGetValue(part, out var next))
            {
                var where = walked.Count == 0 ? "the top level" : $"'{string.Join('/', walked)}'";
                var available = node is PickleDictionary d
                    ? string.Join(", ", d.Keys.Take(20).Select(k => $"'{k}'")) + (d.Count > 20 ? $", ... ({d.Count} keys)" : string.Empty)
                    : $"nothing (it is {Describe(node)})";
                throw new CheckpointFormatException(filePath, key, $"there is no key '{part}' in {where}; available: {available}.");
            }

            walked.Add(part);
            node = next;
        }

        return (node, string.Join('/', walked));
    }

    /// <summary>
    /// Collects every tensor under <paramref name="node"/> with its dotted name, and the names of the
    /// non-tensor leaves that were left out (numbers, strings, None).
    /// </summary>
    public static (List<KeyValuePair<string, TorchTensorRef>> Tensors, List<string> Skipped) Flatten(object? node, string filePath)
    {
        var tensors = new List<KeyValuePair<string, TorchTensorRef>>();
        var skipped = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<object>(ReferenceEqualityComparer.Instance);
        if (node is TorchTensorRef single)
        {
            tensors.Add(new(string.Empty, single));
            return (tensors, skipped);
        }

        Walk(node, string.Empty, 0);
        return (tensors, skipped);

        void Walk(object? current, string prefix, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new CheckpointFormatException(filePath, prefix, $"containers nested more than {MaxDepth} deep.");
            }

            if (!visiting.Add(current!))
            {
                // A container that contains itself (possible in a pickle): nothing new below it.
                return;
            }

            foreach (var (name, child) in Children(current))
            {
                var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
                switch (child)
                {
                    case TorchTensorRef tensor:
                        if (!names.Add(path))
                        {
                            throw new CheckpointFormatException(filePath, path, "two tensors flatten to this name (a dotted key collides with a nested one).");
                        }

                        tensors.Add(new(path, tensor));
                        break;
                    case PickleDictionary or PickleList or PickleTuple:
                        Walk(child, path, depth + 1);
                        break;
                    default:
                        skipped.Add(path);
                        break;
                }
            }

            visiting.Remove(current!);
        }
    }

    private static IEnumerable<(string Name, object? Child)> Children(object? container) => container switch
    {
        PickleDictionary dict => dict.Entries.Select(e => (KeyText(e.Key), e.Value)),
        IReadOnlyList<object?> list => list.Select((v, i) => (i.ToString(CultureInfo.InvariantCulture), v)),
        _ => [],
    };

    private static string KeyText(object key) => key switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => key.ToString() ?? string.Empty,
    };

    private static string Describe(object? node) => node switch
    {
        null => "None",
        TorchTensorRef => "a tensor",
        _ => $"a {node}",
    };
}
