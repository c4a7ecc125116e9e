using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>A read-only name-to-tensor map that enumerates in the order the checkpoint stores the tensors.</summary>
internal sealed class OrderedTensorMap : IReadOnlyDictionary<string, CheckpointTensor>
{
    private readonly List<CheckpointTensor> _ordered;
    private readonly Dictionary<string, CheckpointTensor> _byName;

    public OrderedTensorMap(IEnumerable<CheckpointTensor> tensors)
    {
        _ordered = [.. tensors];
        _byName = new Dictionary<string, CheckpointTensor>(_ordered.Count, StringComparer.Ordinal);
        foreach (var t in _ordered)
        {
            if (!_byName.TryAdd(t.Name, t))
            {
                throw new ArgumentException($"Tensor '{t.Name}' appears twice.", nameof(tensors));
            }
        }
    }

    public int Count => _ordered.Count;

    public IEnumerable<string> Keys => _ordered.Select(t => t.Name);

    public IEnumerable<CheckpointTensor> Values => _ordered;

    public CheckpointTensor this[string key] =>
        _byName.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"The checkpoint has no tensor '{key}'.");

    public bool ContainsKey(string key) => _byName.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out CheckpointTensor value) => _byName.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, CheckpointTensor>> GetEnumerator() =>
        _ordered.Select(t => new KeyValuePair<string, CheckpointTensor>(t.Name, t)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
