using System.Runtime.CompilerServices;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>A strided 2-D view of float32/float16/bfloat16 memory as a GEMM operand. Element (i, j) is at
/// data + (i·RowStride + j·ColStride) elements.</summary>
internal readonly unsafe struct StridedMatrix(byte* data, DType dtype, long rowStride, long colStride) : IGemmOperand
{
    public byte* Data { get; } = data;

    public DType DType { get; } = dtype;

    public long RowStride { get; } = rowStride;

    public long ColStride { get; } = colStride;

    private int Size => DType.SizeOf();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PackA(int row0, int rows, int k0, int kc, int mr, float* destination)
    {
        var origin = Data + ((((row0 * RowStride) + (k0 * ColStride)) * Size));
        if (RowStride == 1 && ColStride != 1)
        {
            // Columns of A are runs (A = Xᵀ): each k is one run of rows.
            PackRuns(origin, ColStride, 1, rows, kc, mr, destination);
        }
        else
        {
            PackTransposed(origin, RowStride, ColStride, rows, kc, mr, destination);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PackB(int k0, int kc, int col0, int cols, int nr, float* destination)
    {
        var origin = Data + ((((k0 * RowStride) + (col0 * ColStride)) * Size));
        if (ColStride == 1 || RowStride != 1)
        {
            // Rows of B are runs along j: copy each row of the block straight into its group.
            PackRuns(origin, RowStride, ColStride, cols, kc, nr, destination);
        }
        else
        {
            // Columns of B are runs along k (B = Wᵀ of a row-major weight): transpose.
            PackTransposed(origin, ColStride, RowStride, cols, kc, nr, destination);
        }
    }

    /// <summary>destination[k·width + j] = element(k·runStride + j·step) for j &lt; count, zero-padded to width.</summary>
    private void PackRuns(byte* origin, long runStride, long step, int count, int kc, int width, float* destination)
    {
        if (DType == DType.Float32 && step == 1)
        {
            GemmPacking.CopyRuns((float*)origin, runStride, count, kc, width, destination);
            return;
        }

        for (var k = 0; k < kc; k++)
        {
            var group = new Span<float>(destination + (k * width), width);
            DTypeConvert.Load(origin + (k * runStride * Size), DType, step, group[..count]);
            group[count..].Clear();
        }
    }

    /// <summary>destination[k·width + r] = element(r·lineStride + k·step) for r &lt; count (lines run along k),
    /// zero-padded to width; other dtypes and strides are converted to float32 lines first.</summary>
    private void PackTransposed(byte* origin, long lineStride, long step, int count, int kc, int width, float* destination)
    {
        if (DType == DType.Float32 && step == 1)
        {
            GemmPacking.Interleave((float*)origin, lineStride, count, kc, width, destination);
            return;
        }

        if (DType == DType.BFloat16 && step == 1)
        {
            GemmPacking.InterleaveBFloat16((ushort*)origin, lineStride, count, kc, width, destination);
            return;
        }

        var lines = Scratch.Row(0, count * kc);
        for (var r = 0; r < count; r++)
        {
            DTypeConvert.Load(origin + (r * lineStride * Size), DType, step, lines.Slice(r * kc, kc));
        }

        fixed (float* converted = lines)
        {
            GemmPacking.Interleave(converted, kc, count, kc, width, destination);
        }
    }
}
