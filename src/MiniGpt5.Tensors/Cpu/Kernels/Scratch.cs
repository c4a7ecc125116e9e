namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Per-thread float rows for kernels that convert or stage a chunk at a time.</summary>
internal static class Scratch
{
    [ThreadStatic]
    private static float[]?[]? _rows;

    /// <summary>Row <paramref name="slot"/> (0..3) of at least <paramref name="length"/> floats, owned by this thread.</summary>
    public static Span<float> Row(int slot, int length)
    {
        _rows ??= new float[4][];
        var row = _rows[slot];
        if (row is null || row.Length < length)
        {
            row = new float[Math.Max(length, ElementwiseLayout.Chunk)];
            _rows[slot] = row;
        }

        return row.AsSpan(0, length);
    }
}
