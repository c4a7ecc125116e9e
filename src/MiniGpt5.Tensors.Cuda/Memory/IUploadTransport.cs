namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>
/// The device side of <see cref="WeightUploader"/>: a ring of pinned staging slots and asynchronous copies out of
/// them, behind an interface so the chunk scheduling is unit-tested with a fake.
/// </summary>
internal interface IUploadTransport
{
    /// <summary>Number of pinned staging slots in the ring.</summary>
    int SlotCount { get; }

    /// <summary>Bytes per slot.</summary>
    long SlotBytes { get; }

    /// <summary>The host memory of a slot. Only valid to write after <see cref="WaitForSlot"/>.</summary>
    Span<byte> Slot(int slot);

    /// <summary>Blocks until the last copy queued from <paramref name="slot"/> has finished reading it.</summary>
    void WaitForSlot(int slot);

    /// <summary>Queues an asynchronous copy of the first <paramref name="length"/> bytes of <paramref name="slot"/>
    /// to <paramref name="deviceAddress"/>, and marks the slot busy until it completes.</summary>
    void CopyToDevice(int slot, long length, ulong deviceAddress);

    /// <summary>Blocks until every queued copy has finished.</summary>
    void Synchronize();
}
