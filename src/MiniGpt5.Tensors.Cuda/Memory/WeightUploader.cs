namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>
/// Uploads many host buffers (the tensors of a checkpoint, usually memory-mapped) into one device arena through a
/// ring of pinned staging slots: while slot k's copy runs on the copy engine the host fills slot k+1, so the
/// upload runs at PCIe speed with a handful of large copies rather than one small copy per tensor.
/// </summary>
internal static class WeightUploader
{
    /// <summary>Copies every item of <paramref name="plan"/> into the arena at <paramref name="arenaAddress"/>.</summary>
    /// <param name="plan">The layout and chunking; its chunk size must not exceed the transport's slot size.</param>
    /// <param name="read">Copies bytes [offset, offset + destination.Length) of item i into destination.</param>
    /// <param name="transport">Pinned slots and copies.</param>
    /// <param name="arenaAddress">Device address of the arena (at least <see cref="UploadPlan.ArenaBytes"/> long).</param>
    /// <param name="cancellationToken">Checked between chunks; copies already queued still complete before it throws.</param>
    public static void Upload(UploadPlan plan, ReadItem read, IUploadTransport transport, ulong arenaAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(transport);
        if (transport.SlotCount < 1)
        {
            throw new ArgumentException("The upload transport needs at least one staging slot.", nameof(transport));
        }

        try
        {
            for (var c = 0; c < plan.Chunks.Count; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = plan.Chunks[c];
                if (chunk.Length > transport.SlotBytes)
                {
                    throw new ArgumentException($"Chunk {c} is {chunk.Length} bytes but the staging slots hold {transport.SlotBytes}.", nameof(plan));
                }

                var slot = c % transport.SlotCount;
                transport.WaitForSlot(slot);
                var staging = transport.Slot(slot);
                foreach (var segment in chunk.Segments)
                {
                    read(segment.Item, segment.SourceOffset, staging.Slice(checked((int)segment.ChunkOffset), checked((int)segment.Length)));
                }

                transport.CopyToDevice(slot, chunk.Length, arenaAddress + (ulong)chunk.ArenaOffset);
            }
        }
        finally
        {
            // Never leave copies reading pinned memory that the caller may free once we return.
            transport.Synchronize();
        }
    }

    /// <summary>Copies bytes of item <paramref name="item"/> from <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    public delegate void ReadItem(int item, long offset, Span<byte> destination);
}
