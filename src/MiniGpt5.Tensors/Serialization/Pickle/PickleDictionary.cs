using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>
/// A Python dict (or OrderedDict, defaultdict, Lightning AttributeDict), insertion-ordered like Python's.
/// Keys are strings, numbers, tuples or None (stored as <see cref="NoneKey"/>).
/// </summary>
public sealed class PickleDictionary : IReadOnlyDictionary<object, object?>
{
    /// <summary>Stands for Python's None used as a key.</summary>
    public static readonly object NoneKey = new NoneKeyMarker();

    private readonly List<KeyValuePair<object, object?>> _entries = [];
    private readonly Dictionary<object, int> _index = new(PickleKeyComparer.Instance);

    internal PickleDictionary(string className) => ClassName = className;

    /// <summary>The class: "builtins.dict", "collections.OrderedDict", ...</summary>
    public string ClassName { get; }

    /// <summary>Instance attributes set by <c>BUILD</c> (PyTorch state dicts carry <c>_metadata</c> this way), or null.</summary>
    public object? Attributes { get; internal set; }

    /// <inheritdoc />
    public int Count => _entries.Count;

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object, object?>> Entries => _entries;

    /// <inheritdoc />
    public IEnumerable<object> Keys => _entries.Select(e => e.Key);

    /// <inheritdoc />
    public IEnumerable<object?> Values => _entries.Select(e => e.Value);

    /// <inheritdoc />
    public object? this[object key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"Key '{key}' is not in the dictionary.");

    /// <inheritdoc />
    public bool ContainsKey(object key) => _index.ContainsKey(key ?? NoneKey);

    /// <inheritdoc />
    public bool TryGetValue(object key, [MaybeNullWhen(false)] out object? value)
    {
        if (_index.TryGetValue(key ?? NoneKey, out var i))
        {
            value = _entries[i].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Sets a key as Python does: a new key goes to the end, an existing one keeps its place.</summary>
    internal void Set(object? key, object? value)
    {
        var k = key ?? NoneKey;
        PickleKeyComparer.EnsureHashable(k);
        if (_index.TryGetValue(k, out var i))
        {
            _entries[i] = new KeyValuePair<object, object?>(_entries[i].Key, value);
        }
        else
        {
            _index.Add(k, _entries.Count);
            _entries.Add(new KeyValuePair<object, object?>(k, value));
        }
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"{ClassName}({Count})";

    private sealed class NoneKeyMarker
    {
        public override string ToString() => "None";
    }
}
