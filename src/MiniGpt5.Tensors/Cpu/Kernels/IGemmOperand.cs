namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// A matrix the GEMM can pack. Packing converts to float32 and reorders a block into the micro-kernel's panel
/// layout, so operands of any dtype and layout (strided, transposed, float16/bfloat16, or virtual like im2col)
/// cost one pass over each block.
/// </summary>
internal unsafe interface IGemmOperand
{
    /// <summary>Packs rows [row0, row0+rows) × depth [k0, k0+kc) as kc groups of <paramref name="mr"/> floats
    /// (rows beyond <paramref name="rows"/> zero-filled).</summary>
    void PackA(int row0, int rows, int k0, int kc, int mr, float* destination);

    /// <summary>Packs depth [k0, k0+kc) × columns [col0, col0+cols) as kc groups of <paramref name="nr"/> floats
    /// (columns beyond <paramref name="cols"/> zero-filled).</summary>
    void PackB(int k0, int kc, int col0, int cols, int nr, float* destination);
}
