namespace MiniGpt5.Tensors.Cuda.Memory;

/// <summary>
/// Where each weight goes in one device arena and how the arena is copied in chunks. Weights are laid out back to
/// back at <see cref="Alignment"/>-byte offsets; the arena is then cut into chunks of at most the staging slot
/// size, so a checkpoint of many small tensors still moves in a few large host-to-device copies (PCIe speed)
/// instead of one copy per tensor, and a tensor larger than a slot spans several chunks.
/// </summary>
internal sealed class UploadPlan
{
    /// <summary>Offset alignment of every weight in the arena (cuBLASLt and vector loads want 256).</summary>
    public const long Alignment = 256;

    private UploadPlan(long[] offsets, long arenaBytes, UploadChunk[] chunks)
    {
        Offsets = offsets;
        ArenaBytes = arenaBytes;
        Chunks = chunks;
    }

    /// <summary>Arena offset of each item, in input order.</summary>
    public IReadOnlyList<long> Offsets { get; }

    /// <summary>Total arena size.</summary>
    public long ArenaBytes { get; }

    /// <summary>The copies, in arena order.</summary>
    public IReadOnlyList<UploadChunk> Chunks { get; }

    /// <summary>Lays out items of <paramref name="byteLengths"/> and cuts the arena into chunks of at most
    /// <paramref name="chunkBytes"/>.</summary>
    public static UploadPlan Build(IReadOnlyList<long> byteLengths, long chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(byteLengths);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, Alignment);
        var offsets = new long[byteLengths.Count];
        long cursor = 0;
        for (var i = 0; i < byteLengths.Count; i++)
        {
            if (byteLengths[i] < 0)
            {
                throw new ArgumentException($"Item {i} has a negative length ({byteLengths[i]}).", nameof(byteLengths));
            }

            offsets[i] = cursor;
            cursor += (byteLengths[i] + Alignment - 1) / Alignment * Alignment;
        }

        var arenaBytes = cursor;
        var chunks = new List<UploadChunk>();
        var item = 0;
        for (long start = 0; start < arenaBytes; start += chunkBytes)
        {
            var length = Math.Min(chunkBytes, arenaBytes - start);
            var end = start + length;
            var segments = new List<UploadSegment>();

            // Items overlapping [start, end); padding between items is not copied from any source.
            while (item < offsets.Length && offsets[item] + byteLengths[item] <= start)
            {
                item++;
            }

            for (var j = item; j < offsets.Length && offsets[j] < end; j++)
            {
                var from = Math.Max(start, offsets[j]);
                var to = Math.Min(end, offsets[j] + byteLengths[j]);
                if (to > from)
                {
                    segments.Add(new UploadSegment(j, from - offsets[j], from - start, to - from));
                }
            }

            chunks.Add(new UploadChunk(start, length, segments));
        }

        return new UploadPlan(offsets, arenaBytes, [.. chunks]);
    }
}

/// <summary>One host-to-device copy of the arena range [<paramref name="ArenaOffset"/>, +<paramref name="Length"/>).</summary>
/// <param name="ArenaOffset">Where the chunk starts in the arena.</param>
/// <param name="Length">Bytes copied.</param>
/// <param name="Segments">The parts of items staged into the chunk.</param>
internal sealed record UploadChunk(long ArenaOffset, long Length, IReadOnlyList<UploadSegment> Segments);

/// <summary>Bytes [<paramref name="SourceOffset"/>, +<paramref name="Length"/>) of item <paramref name="Item"/>
/// staged at <paramref name="ChunkOffset"/> of a chunk.</summary>
internal readonly record struct UploadSegment(int Item, long SourceOffset, long ChunkOffset, long Length);
