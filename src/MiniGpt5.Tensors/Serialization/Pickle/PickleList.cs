using System.Collections;

namespace MiniGpt5.Tensors.Serialization.Pickle;

/// <summary>A Python list, as unpickled.</summary>
public sealed class PickleList : IReadOnlyList<object?>
{
    private readonly List<object?> _items = [];

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public object? this[int index] => _items[index];

    internal void Add(object? item) => _items.Add(item);

    /// <inheritdoc />
    public IEnumerator<object?> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"list({Count})";
}
