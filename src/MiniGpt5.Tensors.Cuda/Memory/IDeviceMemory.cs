namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>
/// The raw device calls the caching allocator needs (cuMemAlloc, cuMemFree and events), behind an interface so the
/// allocator's policy (size classes, stream-ordered reuse, peak accounting, out-of-memory recovery) is unit-tested
/// with a fake on machines without a GPU.
/// </summary>
internal interface IDeviceMemory
{
    /// <summary>Allocates <paramref name="bytes"/> of device memory; false when the device is out of memory.</summary>
    bool TryAllocate(long bytes, out ulong address);

    /// <summary>Frees memory from <see cref="TryAllocate"/>. Synchronises the device, as cuMemFree does.</summary>
    void Free(ulong address);

    /// <summary>Records an event on <paramref name="stream"/> that completes when the work queued so far is done.</summary>
    nint RecordEvent(nint stream);

    /// <summary>Whether the event's work has finished.</summary>
    bool IsComplete(nint cudaEvent);

    /// <summary>Destroys an event from <see cref="RecordEvent"/>.</summary>
    void DestroyEvent(nint cudaEvent);
}
