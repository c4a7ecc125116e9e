using System.Collections;
using System.Globalization;

namespace MiniGpt5.Models.Nn;

/// <summary>nn.ModuleList: children named "0", "1", ... so keys read "layers.3.self_attn.q_proj.weight".</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T>
    where T : Module
{
    private readonly List<T> _items = [];

    public ModuleList()
    {
    }

    public ModuleList(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items)
        {
            Add(item);
        }
    }

    public int Count => _items.Count;

    public T this[int index] => _items[index];

    /// <summary>Appends a module under the next index.</summary>
    public void Add(T module)
    {
        Child(_items.Count.ToString(CultureInfo.InvariantCulture), module);
        _items.Add(module);
    }

    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
