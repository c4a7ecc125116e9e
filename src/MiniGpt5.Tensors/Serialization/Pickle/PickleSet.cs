using System.Collections;

namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>A Python set or frozenset, as unpickled (insertion order kept, duplicates dropped).</summary>
public sealed class PickleSet : IReadOnlyCollection<object?>
{
    private readonly List<object?> _items = [];
    private readonly HashSet<object> _seen = new(PickleKeyComparer.Instance);
    private bool _hasNone;

    internal PickleSet(bool isFrozen) => IsFrozen = isFrozen;

    /// <summary>True for a frozenset.</summary>
    public bool IsFrozen { get; }

    /// <inheritdoc />
    public int Count => _items.Count;

    internal void Add(object? item)
    {
        if (item is null)
        {
            if (!_hasNone)
            {
                _hasNone = true;
                _items.Add(null);
            }

            return;
        }

        PickleKeyComparer.EnsureHashable(item);
        if (_seen.Add(item))
        {
            _items.Add(item);
        }
    }

    /// <inheritdoc />
    public IEnumerator<object?> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"{(IsFrozen ? "frozenset" : "set")}({Count})";
}
