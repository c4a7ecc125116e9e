using System.Runtime.CompilerServices;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Single-precision GEMM, C (+)= A·B with A M×K and B K×N of any float dtype and layout, C float32 with row stride
/// ldc (and optionally split into column segments, see <see cref="Multiply{TA, TB}"/>). The design follows
/// BLIS/GotoBLAS:
/// <code>
/// for pc in K step KC:                        // depth block; C accumulates across blocks
///   for jc in N step NC:                      // column block, NC·KC floats of B ≈ L3-resident
///     in parallel: pack B[pc, jc] into NR-column panels, and (first jc only) A[:, pc] into MR-row panels
///     in parallel over (MC-row block × group of NR panels):
///       for each NR panel jr (KC×NR floats stay in L1):
///         for each MR panel ir in the row block (MC·KC floats of A stay in L2):
///           micro-kernel: MR×NR tile of C in registers over kc
/// </code>
/// Two fork/joins per block on the engine's persistent workers, work claimed in small ranges so a core that another
/// process steals does not stall the other. Packing converts float16/bfloat16 to float32 block by block, so a
/// half-precision weight is never expanded as a whole. Edge tiles are computed into a stack tile and the valid part
/// copied out. Packed buffers are per calling thread and reused. A product with at most <see cref="Gemv.MaxRows"/>
/// rows of A (decoding) skips packing: <see cref="Gemv"/> streams B once in its own layout.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Columns of B per packed block: 4096·256 floats = 4 MB of packed B shared by all threads.</summary>
    private const int Nc = 4096;

    /// <summary>C (+)= A·B. With <paramref name="segment"/> &gt; 0 the columns of C are split into segments of that
    /// many columns placed <paramref name="segmentStride"/> floats apart (column j at
    /// (j / segment)·segmentStride + j % segment): a batch of images as one wide product whose outputs stay in
    /// NCHW order.</summary>
    public static void Multiply<TA, TB>(
        int m, int n, int k, TA a, TB b, float* c, long ldc, bool accumulate, MicroKernel? kernel = null, int segment = 0, long segmentStride = 0)
        where TA : struct, IGemmOperand
        where TB : struct, IGemmOperand
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        var output = new Output(c, ldc, segment > 0 ? segment : n, segment > 0 ? segmentStride : 0);
        if (k == 0)
        {
            if (!accumulate)
            {
                for (var i = 0; i < m; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        *output.At(i, j) = 0;
                    }
                }
            }

            return;
        }

        if (kernel is null && segment == 0 && m <= Gemv.MaxRows && typeof(TA) == typeof(StridedMatrix) && typeof(TB) == typeof(StridedMatrix)
            && Gemv.Handles(Unsafe.As<TB, StridedMatrix>(ref b)))
        {
            Gemv.Multiply(m, n, k, Unsafe.As<TA, StridedMatrix>(ref a), Unsafe.As<TB, StridedMatrix>(ref b), c, ldc, accumulate);
            return;
        }

        var micro = kernel ?? MicroKernel.Best;
        int mr = micro.Mr, nr = micro.Nr, kcMax = micro.Kc;
        var mPanels = (m + mr - 1) / mr;

        // Row blocks of at most MC rows, evened out (130 rows → 72 + 58, not 128 + 2).
        var rowBlocks = (m + micro.Mc - 1) / micro.Mc;
        var mc = ((((m + rowBlocks - 1) / rowBlocks) + mr - 1) / mr) * mr;
        rowBlocks = (m + mc - 1) / mc;
        var packedA = PinnedScratch.Get(PinnedScratch.Slot.GemmA, (long)mPanels * mr * Math.Min(k, kcMax));
        var packedB = PinnedScratch.Get(PinnedScratch.Slot.GemmB, (long)((Math.Min(n, Nc) + nr - 1) / nr) * nr * Math.Min(k, kcMax));
        var tile = micro.Tile;

        for (var pc = 0; pc < k; pc += kcMax)
        {
            var kc = Math.Min(kcMax, k - pc);
            var first = pc == 0 && !accumulate;
            for (var jc = 0; jc < n; jc += Nc)
            {
                var nc = Math.Min(Nc, n - jc);
                var nPanels = (nc + nr - 1) / nr;
                var aPanels = jc == 0 ? mPanels : 0;
                var (pcLocal, jcLocal) = (pc, jc);

                // Items [0, aPanels) pack A panels, the rest B panels; both are kc·(MR or NR) floats of work.
                CpuParallel.For(aPanels + nPanels, (double)nr * kc, (start, end) =>
                {
                    for (var item = start; item < end; item++)
                    {
                        if (item < aPanels)
                        {
                            var row0 = (int)item * mr;
                            a.PackA(row0, Math.Min(mr, m - row0), pcLocal, kc, mr, packedA + (item * mr * kc));
                        }
                        else
                        {
                            var p = item - aPanels;
                            var col0 = (int)p * nr;
                            b.PackB(pcLocal, kc, jcLocal + col0, Math.Min(nr, nc - col0), nr, packedB + (p * nr * kc));
                        }
                    }
                });

                // Task grid: row blocks × groups of NR panels, about four tasks per thread.
                var wanted = Math.Max(1, (CpuParallel.Workers * 4) / rowBlocks);
                var panelsPerGroup = Math.Max(1, (nPanels + wanted - 1) / wanted);
                var groups = (nPanels + panelsPerGroup - 1) / panelsPerGroup;
                CpuParallel.For((long)rowBlocks * groups, (double)mc * panelsPerGroup * nr * kc, (start, end) =>
                {
                    var edge = stackalloc float[mr * nr];
                    for (var task = start; task < end; task++)
                    {
                        var block = (int)(task / groups);
                        var group = (int)(task % groups);
                        var rowStart = block * mc;
                        var rowEnd = Math.Min(m, rowStart + mc);
                        var panelEnd = Math.Min(nPanels, (group + 1) * panelsPerGroup);
                        for (var jp = group * panelsPerGroup; jp < panelEnd; jp++)
                        {
                            var col = jcLocal + (jp * nr);
                            var cols = Math.Min(nr, n - col);
                            var bPanel = packedB + ((long)jp * nr * kc);
                            var contiguous = output.Contiguous(col, cols);
                            for (var row = rowStart; row < rowEnd; row += mr)
                            {
                                var rows = Math.Min(mr, m - row);
                                var aPanel = packedA + ((long)(row / mr) * mr * kc);
                                if (rows == mr && cols == nr && contiguous)
                                {
                                    tile(kc, aPanel, bPanel, output.At(row, col), ldc, !first);
                                    continue;
                                }

                                tile(kc, aPanel, bPanel, edge, nr, false);
                                for (var i = 0; i < rows; i++)
                                {
                                    for (var j = 0; j < cols; j++)
                                    {
                                        var target = output.At(row + i, col + j);
                                        var value = edge[(i * nr) + j];
                                        *target = first ? value : *target + value;
                                    }
                                }
                            }
                        }
                    }
                });
            }
        }
    }

    /// <summary>Where C[i, j] lives: row stride, and columns split into segments a fixed stride apart.</summary>
    private readonly struct Output(float* c, long ldc, int segment, long segmentStride)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* At(int row, int col) => c + (row * ldc) + ((col / segment) * segmentStride) + (col % segment);

        /// <summary>True when columns [col, col + cols) lie in one segment (one run of memory).</summary>
        public bool Contiguous(int col, int cols) => (col % segment) + cols <= segment;
    }
}
