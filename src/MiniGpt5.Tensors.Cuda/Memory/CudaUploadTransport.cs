namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>
/// <see cref="IUploadTransport"/> over the driver: a ring of pinned slots, a dedicated copy stream (so uploads
/// overlap compute on the backend's stream) and one event per slot marking when its copy has read it.
/// </summary>
internal sealed unsafe class CudaUploadTransport : IUploadTransport, IDisposable
{
    private const uint StreamNonBlocking = 1;
    private const uint EventDisableTiming = 2;
    private readonly CudaDevice _device;
    private readonly PinnedHostBuffer[] _slots;
    private readonly nint[] _events;
    private readonly bool[] _pending;
    private readonly nint _stream;

    public CudaUploadTransport(CudaDevice device, int slotCount, int slotBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotCount, 1);
        _device = device;
        var api = device.Api;
        device.MakeCurrent();
        nint stream;
        api.Check(api.CuStreamCreate(&stream, StreamNonBlocking), "cuStreamCreate");
        _stream = stream;
        _slots = new PinnedHostBuffer[slotCount];
        _events = new nint[slotCount];
        _pending = new bool[slotCount];
        for (var i = 0; i < slotCount; i++)
        {
            _slots[i] = new PinnedHostBuffer(device, slotBytes);
            nint e;
            api.Check(api.CuEventCreate(&e, EventDisableTiming), "cuEventCreate");
            _events[i] = e;
        }

        SlotBytes = slotBytes;
    }

    public int SlotCount => _slots.Length;

    public long SlotBytes { get; }

    public Span<byte> Slot(int slot) => _slots[slot].Span;

    public void WaitForSlot(int slot)
    {
        if (_pending[slot])
        {
            _device.Api.Check(_device.Api.CuEventSynchronize(_events[slot]), "cuEventSynchronize");
            _pending[slot] = false;
        }
    }

    public void CopyToDevice(int slot, long length, ulong deviceAddress)
    {
        var api = _device.Api;
        _device.MakeCurrent();
        api.Check(api.CuMemcpyHtoDAsync(deviceAddress, (void*)_slots[slot].Pointer, (nuint)length, _stream), "cuMemcpyHtoDAsync_v2");
        api.Check(api.CuEventRecord(_events[slot], _stream), "cuEventRecord");
        _pending[slot] = true;
    }

    public void Synchronize()
    {
        _device.MakeCurrent();
        _device.Api.Check(_device.Api.CuStreamSynchronize(_stream), "cuStreamSynchronize");
        Array.Clear(_pending);
    }

    public void Dispose()
    {
        Synchronize();
        foreach (var e in _events)
        {
            _ = _device.Api.CuEventDestroy(e);
        }

        foreach (var slot in _slots)
        {
            slot.Dispose();
        }

        _ = _device.Api.CuStreamDestroy(_stream);
    }
}
