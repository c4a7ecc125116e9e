using MiniGpt5.Tensors.Cuda.Memory;

namespace MiniGpt5.Tensors.Cuda.Tests.Memory;

/// <summary>A device of <see cref="Capacity"/> bytes with hand-driven events: an event completes when the test says so.</summary>
internal sealed class FakeDeviceMemory(long capacity) : IDeviceMemory
{
    private readonly Dictionary<ulong, long> _live = [];
    private readonly HashSet<nint> _completed = [];
    private readonly HashSet<nint> _events = [];
    private ulong _next = 0x1000_0000;
    private nint _nextEvent = 1;

    public long Capacity { get; } = capacity;

    public long Allocated => _live.Values.Sum();

    public int AllocateCalls { get; private set; }

    public int FreeCalls { get; private set; }

    public int LiveEvents => _events.Count;

    public bool TryAllocate(long bytes, out ulong address)
    {
        AllocateCalls++;
        if (Allocated + bytes > Capacity)
        {
            address = 0;
            return false;
        }

        address = _next;
        _next += (ulong)bytes + 4096;
        _live.Add(address, bytes);
        return true;
    }

    public void Free(ulong address)
    {
        FreeCalls++;
        if (!_live.Remove(address))
        {
            throw new InvalidOperationException($"Freed 0x{address:x}, which is not allocated.");
        }
    }

    public nint RecordEvent(nint stream)
    {
        var e = _nextEvent++;
        _events.Add(e);
        return e;
    }

    public bool IsComplete(nint cudaEvent) => _completed.Contains(cudaEvent);

    public void DestroyEvent(nint cudaEvent)
    {
        if (!_events.Remove(cudaEvent))
        {
            throw new InvalidOperationException($"Event {cudaEvent} destroyed twice or never recorded.");
        }
    }

    /// <summary>Marks every event recorded so far as complete (as a device synchronisation would).</summary>
    public void CompleteAll()
    {
        foreach (var e in _events)
        {
            _completed.Add(e);
        }
    }
}
