namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>Tensor storage in device memory: a block rented from the backend's pool, returned on the last release.</summary>
internal sealed class CudaStorage : TensorStorage
{
    private readonly CachingDeviceAllocator _pool;
    private readonly DeviceBlock _block;
    private readonly nint _stream;
    private readonly Device _device;

    public CudaStorage(CachingDeviceAllocator pool, DeviceBlock block, long byteLength, nint stream, Device device)
    {
        _pool = pool;
        _block = block;
        _stream = stream;
        _device = device;
        ByteLength = byteLength;
    }

    /// <inheritdoc />
    public override nint Pointer => (nint)_block.Address;

    /// <inheritdoc />
    public override long ByteLength { get; }

    /// <inheritdoc />
    public override Device Device => _device;

    /// <summary>Device address of the first byte.</summary>
    public ulong Address => _block.Address;

    /// <inheritdoc />
    protected override void Free() => _pool.Return(_block, _stream);
}
