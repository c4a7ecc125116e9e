namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>
/// One block of device memory rented from a <see cref="CachingDeviceAllocator"/>. Whoever rents it owns it and
/// gives it back exactly once with <see cref="CachingDeviceAllocator.Return"/>.
/// </summary>
internal sealed class DeviceBlock
{
    internal DeviceBlock(ulong address, long size)
    {
        Address = address;
        Size = size;
    }

    /// <summary>Device address of the first byte.</summary>
    public ulong Address { get; }

    /// <summary>Bytes reserved from the driver (the size class; at least <see cref="RequestedBytes"/>).</summary>
    public long Size { get; }

    /// <summary>Bytes the current owner asked for.</summary>
    public long RequestedBytes { get; internal set; }

    /// <summary>The stream the block was last used on; reuse on it needs no synchronisation.</summary>
    public nint Stream { get; internal set; }

    /// <summary>Whether the block is rented (false while cached).</summary>
    public bool InUse { get; internal set; }

    /// <summary>Event recorded when the block was returned: other streams may reuse it once it completes.</summary>
    internal nint ReturnEvent { get; set; }
}
