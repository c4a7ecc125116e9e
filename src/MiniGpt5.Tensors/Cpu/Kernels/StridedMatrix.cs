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
        var line = Scratch.Row(0, kc);
        for (var r = 0; r < rows; r++)
        {
            // Row r of the block, converted to float, then interleaved into the panel.
            DTypeConvert.Load(Data + ((((row0 + r) * RowStride) + (k0 * ColStride)) * Size), DType, ColStride, line);
            for (var k = 0; k < kc; k++)
            {
                destination[(k * mr) + r] = line[k];
            }
        }

        for (var r = rows; r < mr; r++)
        {
            for (var k = 0; k < kc; k++)
            {
                destination[(k * mr) + r] = 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PackB(int k0, int kc, int col0, int cols, int nr, float* destination)
    {
        if (ColStride == 1 || RowStride != 1)
        {
            // Rows of B are runs along j: copy each row of the block straight into its group.
            for (var k = 0; k < kc; k++)
            {
                var group = new Span<float>(destination + (k * nr), nr);
                DTypeConvert.Load(Data + ((((k0 + k) * RowStride) + (col0 * ColStride)) * Size), DType, ColStride, group[..cols]);
                group[cols..].Clear();
            }

            return;
        }

        // Columns of B are runs along k (B = Wᵀ of a row-major weight): convert each column, then interleave.
        var line = Scratch.Row(0, kc);
        for (var j = 0; j < cols; j++)
        {
            DTypeConvert.Load(Data + ((k0 + ((col0 + j) * ColStride)) * Size), DType, 1, line);
            for (var k = 0; k < kc; k++)
            {
                destination[(k * nr) + j] = line[k];
            }
        }

        for (var k = 0; k < kc; k++)
        {
            for (var j = cols; j < nr; j++)
            {
                destination[(k * nr) + j] = 0;
            }
        }
    }
}
