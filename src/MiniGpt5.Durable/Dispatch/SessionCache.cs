namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// Live orchestration states kept between episodes (what Durable Functions calls extended sessions, here on by
/// default): a warm episode applies only its new events instead of replaying the whole history, which is what
/// keeps a large fan-in linear instead of quadratic. Bounded by count and idle time (least recently used goes
/// first). An episode takes the state out and puts it back, so one state is never used twice at once; a
/// partition that moves away drops its states, and a checkpoint conflict drops the one that lost.
/// </summary>
internal sealed class SessionCache(int capacity, TimeSpan idleTimeout)
{
    private readonly Dictionary<string, LinkedListNode<InstanceState>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<InstanceState> _lru = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Removes and returns the state of <paramref name="instanceId"/>, if cached and fresh.</summary>
    public InstanceState? Take(string instanceId)
    {
        lock (_lock)
        {
            if (!_entries.Remove(instanceId, out var node))
            {
                return null;
            }

            _lru.Remove(node);
            return DateTime.UtcNow - node.Value.LastUsedUtc > idleTimeout ? null : node.Value;
        }
    }

    public void Put(InstanceState state)
    {
        if (capacity == 0)
        {
            return;
        }

        state.LastUsedUtc = DateTime.UtcNow;
        lock (_lock)
        {
            if (_entries.Remove(state.InstanceId, out var old))
            {
                _lru.Remove(old);
            }

            _entries[state.InstanceId] = _lru.AddFirst(state);
            while (_entries.Count > capacity || (_lru.Last is { } last && DateTime.UtcNow - last.Value.LastUsedUtc > idleTimeout))
            {
                var evict = _lru.Last!;
                _lru.RemoveLast();
                _entries.Remove(evict.Value.InstanceId);
            }
        }
    }

    public void Remove(string instanceId)
    {
        lock (_lock)
        {
            if (_entries.Remove(instanceId, out var node))
            {
                _lru.Remove(node);
            }
        }
    }

    /// <summary>Drops every state whose instance id matches (a partition that was released or lost).</summary>
    public void RemoveWhere(Func<string, bool> predicate)
    {
        lock (_lock)
        {
            foreach (var id in _entries.Keys.Where(predicate).ToList())
            {
                var node = _entries[id];
                _entries.Remove(id);
                _lru.Remove(node);
            }
        }
    }
}
