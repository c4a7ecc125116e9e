using System.Collections;

namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>A Python tuple. Compares and hashes by value, like Python, so it can be a dictionary key.</summary>
public sealed class PickleTuple : IReadOnlyList<object?>, IEquatable<PickleTuple>
{
    private readonly object?[] _items;

    /// <summary>The empty tuple.</summary>
    public static readonly PickleTuple Empty = new([]);

    internal PickleTuple(object?[] items)
    {
        _items = items;
        var depth = 0;
        foreach (var item in items)
        {
            if (item is PickleTuple inner)
            {
                depth = Math.Max(depth, inner.Depth);
            }
        }

        Depth = depth + 1;
    }

    /// <summary>Nesting depth of tuples inside tuples; hashing recurses this deep, so the reader bounds it.</summary>
    internal int Depth { get; }

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public object? this[int index] => _items[index];

    /// <inheritdoc />
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public bool Equals(PickleTuple? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }

        for (var i = 0; i < _items.Length; i++)
        {
            if (!PickleKeyComparer.Instance.Equals(_items[i], other._items[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PickleTuple t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(PickleKeyComparer.Instance.GetHashCode(item!));
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => $"tuple({Count})";
}
