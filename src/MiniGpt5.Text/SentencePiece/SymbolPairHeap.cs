namespace MiniGpt5.Text.SentencePiece;

/// <summary>
/// The agenda of candidate merges, ordered as SentencePiece's SymbolPairComparator orders it: higher score
/// first, and among equal scores the pair further left. A binary heap of structs over a reusable array.
/// </summary>
internal struct SymbolPairHeap
{
    private Entry[] _items;

    public SymbolPairHeap(int capacity) => _items = new Entry[Math.Max(capacity, 8)];

    public int Count { get; private set; }

    public void Clear() => Count = 0;

    public void Push(float score, int left, int right, int size)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        var entry = new Entry(score, left, right, size);
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Before(entry, _items[parent]))
            {
                break;
            }

            _items[i] = _items[parent];
            i = parent;
        }

        _items[i] = entry;
    }

    public Entry Pop()
    {
        var top = _items[0];
        var last = _items[--Count];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && Before(_items[child + 1], _items[child]))
            {
                child++;
            }

            if (!Before(_items[child], last))
            {
                break;
            }

            _items[i] = _items[child];
            i = child;
        }

        if (Count > 0)
        {
            _items[i] = last;
        }

        return top;
    }

    private static bool Before(in Entry a, in Entry b) => a.Score > b.Score || (a.Score == b.Score && a.Left < b.Left);

    /// <summary>A candidate merge of symbol <c>Left</c> with symbol <c>Right</c>, valid while their sizes still sum to <c>Size</c>.</summary>
    public readonly record struct Entry(float Score, int Left, int Right, int Size);
}
