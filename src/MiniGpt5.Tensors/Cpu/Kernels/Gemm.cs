using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Single-precision GEMM, C (+)= A·B with A M×K and B K×N of any float dtype and layout, C float32 row-major with
/// leading dimension ldc. The design follows BLIS/GotoBLAS:
/// <code>
/// for pc in K step KC:                      // depth block; C accumulates across blocks
///   pack A[:, pc] into MR-row panels        // all M rows, in parallel
///   for jc in N step NC:                    // column block, NC·KC floats of B ≈ L3-resident
///     pack B[pc, jc] into NR-column panels  // in parallel
///     parallel over (MC-row block × group of NR panels):
///       for each NR panel jr (kc×NR floats stay in L1):
///         for each MR panel ir in the row block (MC·KC floats of A stay in L2):
///           micro-kernel: MR×NR tile of C in registers over kc
/// </code>
/// Packing converts float16/bfloat16 to float32 block by block, so a half-precision weight is never expanded as a
/// whole. Edge tiles are computed into a stack tile and the valid part copied out. Packed buffers are cached per
/// calling thread.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Columns of B per packed block.</summary>
    private const int Nc = 4096;

    [ThreadStatic]
    private static PackBuffers? _buffers;

    public static void Multiply<TA, TB>(int m, int n, int k, TA a, TB b, float* c, long ldc, bool accumulate, MicroKernel? kernel = null)
        where TA : struct, IGemmOperand
        where TB : struct, IGemmOperand
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (var i = 0; i < m; i++)
                {
                    new Span<float>(c + (i * ldc), n).Clear();
                }
            }

            return;
        }

        var micro = kernel ?? MicroKernel.Best;
        int mr = micro.Mr, nr = micro.Nr, kcMax = micro.Kc, Mc = micro.Mc;
        var mPanels = (m + mr - 1) / mr;
        var buffers = _buffers ??= new PackBuffers();
        var packedA = buffers.A((long)mPanels * mr * Math.Min(k, kcMax));
        var packedB = buffers.B((long)((Math.Min(n, Nc) + nr - 1) / nr) * nr * Math.Min(k, kcMax));
        var tile = micro.Tile;

        for (var pc = 0; pc < k; pc += kcMax)
        {
            var kc = Math.Min(kcMax, k - pc);
            var first = pc == 0 && !accumulate;
            CpuParallel.For(mPanels, (double)mr * kc, (start, end) =>
            {
                for (var p = start; p < end; p++)
                {
                    var row0 = (int)p * mr;
                    a.PackA(row0, Math.Min(mr, m - row0), pc, kc, mr, packedA + (p * mr * kc));
                }
            });

            for (var jc = 0; jc < n; jc += Nc)
            {
                var nc = Math.Min(Nc, n - jc);
                var nPanels = (nc + nr - 1) / nr;
                CpuParallel.For(nPanels, (double)nr * kc, (start, end) =>
                {
                    for (var p = start; p < end; p++)
                    {
                        var col0 = (int)p * nr;
                        b.PackB(pc, kc, jc + col0, Math.Min(nr, nc - col0), nr, packedB + (p * nr * kc));
                    }
                });

                // Task grid: MC-row blocks × groups of NR panels, enough groups to keep every core busy.
                var rowBlocks = (m + Mc - 1) / Mc;
                var wanted = Math.Max(1, (CpuParallel.Workers * 4) / rowBlocks);
                var panelsPerGroup = Math.Max(1, (nPanels + wanted - 1) / wanted);
                var groups = (nPanels + panelsPerGroup - 1) / panelsPerGroup;
                var jcLocal = jc;
                CpuParallel.For((long)rowBlocks * groups, (double)Mc * panelsPerGroup * nr * kc, (start, end) =>
                {
                    var edge = stackalloc float[mr * nr];
                    for (var task = start; task < end; task++)
                    {
                        var block = (int)(task / groups);
                        var group = (int)(task % groups);
                        var rowStart = block * Mc;
                        var rowEnd = Math.Min(m, rowStart + Mc);
                        var panelEnd = Math.Min(nPanels, (group + 1) * panelsPerGroup);
                        for (var jp = group * panelsPerGroup; jp < panelEnd; jp++)
                        {
                            var col = jcLocal + (jp * nr);
                            var cols = Math.Min(nr, n - col);
                            var bPanel = packedB + ((long)jp * nr * kc);
                            for (var row = rowStart; row < rowEnd; row += mr)
                            {
                                var rows = Math.Min(mr, m - row);
                                var aPanel = packedA + ((long)(row / mr) * mr * kc);
                                var target = c + (row * ldc) + col;
                                if (rows == mr && cols == nr)
                                {
                                    tile(kc, aPanel, bPanel, target, ldc, !first);
                                }
                                else
                                {
                                    tile(kc, aPanel, bPanel, edge, nr, false);
                                    for (var i = 0; i < rows; i++)
                                    {
                                        for (var j = 0; j < cols; j++)
                                        {
                                            var value = edge[(i * nr) + j];
                                            target[(i * ldc) + j] = first ? value : target[(i * ldc) + j] + value;
                                        }
                                    }
                                }
                            }
                        }
                    }
                });
            }
        }
    }

    /// <summary>Grow-only, 64-byte-aligned packing buffers of one calling thread. They are pinned managed arrays,
    /// so they are reclaimed with the thread without a finalizer.</summary>
    private sealed class PackBuffers
    {
        private float[] _a = [];
        private float[] _b = [];

        public float* A(long length) => Ensure(ref _a, length);

        public float* B(long length) => Ensure(ref _b, length);

        private static float* Ensure(ref float[] buffer, long length)
        {
            if (length + 16 > buffer.Length)
            {
                buffer = GC.AllocateUninitializedArray<float>(checked((int)(length + 16)), pinned: true);
            }

            var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
            return (float*)((address + 63) & ~(nint)63);
        }
    }
}
