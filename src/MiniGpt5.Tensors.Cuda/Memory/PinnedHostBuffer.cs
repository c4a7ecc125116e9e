namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>Page-locked host memory (cuMemHostAlloc): the copy engine reads it directly, at full PCIe speed.</summary>
internal sealed unsafe class PinnedHostBuffer : IDisposable
{
    private const uint HostAllocPortable = 1;
    private readonly CudaDevice _device;
    private void* _pointer;

    public PinnedHostBuffer(CudaDevice device, int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        _device = device;
        device.MakeCurrent();
        void* pointer;
        device.Api.Check(device.Api.CuMemHostAlloc(&pointer, (nuint)bytes, HostAllocPortable), "cuMemHostAlloc");
        _pointer = pointer;
        Length = bytes;
    }

    /// <summary>Bytes in the buffer.</summary>
    public int Length { get; }

    /// <summary>Address of the first byte.</summary>
    public nint Pointer => (nint)_pointer;

    /// <summary>The buffer as a span.</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer is null, this);
            return new Span<byte>(_pointer, Length);
        }
    }

    public void Dispose()
    {
        if (_pointer is not null)
        {
            _device.MakeCurrent();
            _device.Api.Check(_device.Api.CuMemFreeHost(_pointer), "cuMemFreeHost");
            _pointer = null;
        }
    }
}
