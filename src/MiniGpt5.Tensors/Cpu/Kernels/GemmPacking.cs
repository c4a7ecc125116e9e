using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// The float32 moves behind GEMM packing. A packed panel is kc groups of <c>width</c> floats (width = MR for A, NR
/// for B). An operand whose panel rows are runs in memory (B row-major) is copied run by run; an operand whose runs
/// go along k (A row-major, or B = Wᵀ of a row-major weight, the linear-layer case) must be transposed, which is
/// done in 16×16 register blocks with AVX-512 when the panel is 16-aligned, and with strided scalar stores
/// otherwise. Packing runs once per block of each operand, so at MR·NR = 6·32 it is a few percent of the flops only
/// when it moves data at close to memory speed.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Copies a short run of floats (a panel row) without a call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* source, float* destination, int count)
    {
        var j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 16 <= count; j += 16)
            {
                Vector512.Store(Vector512.Load(source + j), destination + j);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 <= count; j += 8)
            {
                Vector256.Store(Vector256.Load(source + j), destination + j);
            }
        }

        for (; j < count; j++)
        {
            destination[j] = source[j];
        }
    }

    /// <summary>destination[k·width + j] = source[k·stride + j] for j &lt; cols, 0 for cols ≤ j &lt; width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CopyRuns(float* source, long stride, int cols, int kc, int width, float* destination)
    {
        for (var k = 0; k < kc; k++)
        {
            var to = destination + ((long)k * width);
            Copy(source + (k * stride), to, cols);
            for (var j = cols; j < width; j++)
            {
                to[j] = 0;
            }
        }
    }

    /// <summary>destination[k·width + r] = source[r·stride + k] for r &lt; rows (runs along k), 0 for rows ≤ r &lt; width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Interleave(float* source, long stride, int rows, int kc, int width, float* destination)
    {
        var k0 = 0;
        if (Avx512F.IsSupported && width % 16 == 0 && rows == width)
        {
            // Full 16×16 blocks in registers; the k remainder falls through to the scalar loop.
            for (; k0 + 16 <= kc; k0 += 16)
            {
                for (var r = 0; r < width; r += 16)
                {
                    Transpose16x16(source + (r * stride) + k0, stride, destination + ((long)k0 * width) + r, width);
                }
            }
        }
        else if (Avx.IsSupported && width == 8 && rows == 8)
        {
            // 8×8 blocks: each block becomes 64 consecutive floats of the panel.
            for (; k0 + 8 <= kc; k0 += 8)
            {
                Transpose8x8(source + k0, stride, destination + ((long)k0 * 8));
            }
        }

        // Remainder: k outer, so the rows are read as parallel streams.
        for (var k = k0; k < kc; k++)
        {
            var to = destination + ((long)k * width);
            var from = source + k;
            for (var r = 0; r < rows; r++)
            {
                to[r] = from[r * stride];
            }
        }

        if (rows < width)
        {
            for (var k = 0; k < kc; k++)
            {
                new Span<float>(destination + ((long)k * width) + rows, width - rows).Clear();
            }
        }
    }

    /// <summary>As <see cref="Interleave"/> from bfloat16 lines (a bf16 weight's rows), widened on the way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InterleaveBFloat16(ushort* source, long stride, int rows, int kc, int width, float* destination)
    {
        var k0 = 0;
        if (Avx512F.IsSupported && width % 16 == 0 && rows == width)
        {
            for (; k0 + 16 <= kc; k0 += 16)
            {
                for (var r = 0; r < width; r += 16)
                {
                    TransposeBFloat16x16(source + (r * stride) + k0, stride, destination + ((long)k0 * width) + r, width);
                }
            }
        }

        for (var k = k0; k < kc; k++)
        {
            var to = destination + ((long)k * width);
            var from = source + k;
            for (var r = 0; r < rows; r++)
            {
                to[r] = BFloat16.BitsToSingle(from[r * stride]);
            }
        }

        if (rows < width)
        {
            for (var k = 0; k < kc; k++)
            {
                new Span<float>(destination + ((long)k * width) + rows, width - rows).Clear();
            }
        }
    }

    /// <summary>Writes the transpose of the 8×8 block at <paramref name="source"/> (row stride
    /// <paramref name="sourceStride"/>) as 64 consecutive floats at <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(float* source, long sourceStride, float* destination)
    {
        var r0 = Vector256.Load(source);
        var r1 = Vector256.Load(source + sourceStride);
        var r2 = Vector256.Load(source + (2 * sourceStride));
        var r3 = Vector256.Load(source + (3 * sourceStride));
        var r4 = Vector256.Load(source + (4 * sourceStride));
        var r5 = Vector256.Load(source + (5 * sourceStride));
        var r6 = Vector256.Load(source + (6 * sourceStride));
        var r7 = Vector256.Load(source + (7 * sourceStride));

        // Interleave pairs of rows, then pairs of pairs: each 128-bit lane holds 4 rows of one column.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);

        // Join the rows 0-3 and 4-7 halves of each column.
        Avx.Permute2x128(s0, s4, 0x20).Store(destination);
        Avx.Permute2x128(s1, s5, 0x20).Store(destination + 8);
        Avx.Permute2x128(s2, s6, 0x20).Store(destination + 16);
        Avx.Permute2x128(s3, s7, 0x20).Store(destination + 24);
        Avx.Permute2x128(s0, s4, 0x31).Store(destination + 32);
        Avx.Permute2x128(s1, s5, 0x31).Store(destination + 40);
        Avx.Permute2x128(s2, s6, 0x31).Store(destination + 48);
        Avx.Permute2x128(s3, s7, 0x31).Store(destination + 56);
    }

    /// <summary>Writes the transpose of the 16×16 block at <paramref name="source"/> (row stride
    /// <paramref name="sourceStride"/>) to <paramref name="destination"/> (row stride
    /// <paramref name="destinationStride"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose16x16(float* source, long sourceStride, float* destination, long destinationStride) =>
        Transpose16x16(
            Vector512.Load(source), Vector512.Load(source + sourceStride), Vector512.Load(source + (2 * sourceStride)),
            Vector512.Load(source + (3 * sourceStride)), Vector512.Load(source + (4 * sourceStride)), Vector512.Load(source + (5 * sourceStride)),
            Vector512.Load(source + (6 * sourceStride)), Vector512.Load(source + (7 * sourceStride)), Vector512.Load(source + (8 * sourceStride)),
            Vector512.Load(source + (9 * sourceStride)), Vector512.Load(source + (10 * sourceStride)), Vector512.Load(source + (11 * sourceStride)),
            Vector512.Load(source + (12 * sourceStride)), Vector512.Load(source + (13 * sourceStride)), Vector512.Load(source + (14 * sourceStride)),
            Vector512.Load(source + (15 * sourceStride)),
            destination,
            destinationStride);

    /// <summary>As <see cref="Transpose16x16(float*, long, float*, long)"/> from bfloat16 rows, widened to float32 as
    /// they are loaded (a bf16 weight is packed without a float32 copy of it first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeBFloat16x16(ushort* source, long sourceStride, float* destination, long destinationStride) =>
        Transpose16x16(
            Widen(source), Widen(source + sourceStride), Widen(source + (2 * sourceStride)), Widen(source + (3 * sourceStride)),
            Widen(source + (4 * sourceStride)), Widen(source + (5 * sourceStride)), Widen(source + (6 * sourceStride)),
            Widen(source + (7 * sourceStride)), Widen(source + (8 * sourceStride)), Widen(source + (9 * sourceStride)),
            Widen(source + (10 * sourceStride)), Widen(source + (11 * sourceStride)), Widen(source + (12 * sourceStride)),
            Widen(source + (13 * sourceStride)), Widen(source + (14 * sourceStride)), Widen(source + (15 * sourceStride)),
            destination,
            destinationStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Widen(ushort* run) => HalfWidening.BFloat16ToSingle(Vector256.Load(run));

    /// <summary>The transpose of 16 rows held in registers: four rounds of unpack/shuffle, as in the classic AVX-512
    /// transpose.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16x16(
        Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3, Vector512<float> r4, Vector512<float> r5,
        Vector512<float> r6, Vector512<float> r7, Vector512<float> r8, Vector512<float> r9, Vector512<float> ra, Vector512<float> rb,
        Vector512<float> rc, Vector512<float> rd, Vector512<float> re, Vector512<float> rf, float* destination, long destinationStride)
    {
        // Round 1: interleave pairs of rows (32-bit elements, within 128-bit lanes).
        var t0 = Avx512F.UnpackLow(r0, r1);
        var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3);
        var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5);
        var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7);
        var t7 = Avx512F.UnpackHigh(r6, r7);
        var t8 = Avx512F.UnpackLow(r8, r9);
        var t9 = Avx512F.UnpackHigh(r8, r9);
        var ta = Avx512F.UnpackLow(ra, rb);
        var tb = Avx512F.UnpackHigh(ra, rb);
        var tc = Avx512F.UnpackLow(rc, rd);
        var td = Avx512F.UnpackHigh(rc, rd);
        var te = Avx512F.UnpackLow(re, rf);
        var tf = Avx512F.UnpackHigh(re, rf);

        // Round 2: interleave 64-bit pairs: each 128-bit lane now holds one column of a 4×4 sub-block.
        r0 = Avx512F.UnpackLow(t0.AsDouble(), t2.AsDouble()).AsSingle();
        r1 = Avx512F.UnpackHigh(t0.AsDouble(), t2.AsDouble()).AsSingle();
        r2 = Avx512F.UnpackLow(t1.AsDouble(), t3.AsDouble()).AsSingle();
        r3 = Avx512F.UnpackHigh(t1.AsDouble(), t3.AsDouble()).AsSingle();
        r4 = Avx512F.UnpackLow(t4.AsDouble(), t6.AsDouble()).AsSingle();
        r5 = Avx512F.UnpackHigh(t4.AsDouble(), t6.AsDouble()).AsSingle();
        r6 = Avx512F.UnpackLow(t5.AsDouble(), t7.AsDouble()).AsSingle();
        r7 = Avx512F.UnpackHigh(t5.AsDouble(), t7.AsDouble()).AsSingle();
        r8 = Avx512F.UnpackLow(t8.AsDouble(), ta.AsDouble()).AsSingle();
        r9 = Avx512F.UnpackHigh(t8.AsDouble(), ta.AsDouble()).AsSingle();
        ra = Avx512F.UnpackLow(t9.AsDouble(), tb.AsDouble()).AsSingle();
        rb = Avx512F.UnpackHigh(t9.AsDouble(), tb.AsDouble()).AsSingle();
        rc = Avx512F.UnpackLow(tc.AsDouble(), te.AsDouble()).AsSingle();
        rd = Avx512F.UnpackHigh(tc.AsDouble(), te.AsDouble()).AsSingle();
        re = Avx512F.UnpackLow(td.AsDouble(), tf.AsDouble()).AsSingle();
        rf = Avx512F.UnpackHigh(td.AsDouble(), tf.AsDouble()).AsSingle();

        // Rounds 3 and 4: move 128-bit lanes (rows 0-3 with 4-7, then 0-7 with 8-15).
        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88);
        t1 = Avx512F.Shuffle4x128(r1, r5, 0x88);
        t2 = Avx512F.Shuffle4x128(r2, r6, 0x88);
        t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD);
        t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD);
        t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD);
        t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, rc, 0x88);
        t9 = Avx512F.Shuffle4x128(r9, rd, 0x88);
        ta = Avx512F.Shuffle4x128(ra, re, 0x88);
        tb = Avx512F.Shuffle4x128(rb, rf, 0x88);
        tc = Avx512F.Shuffle4x128(r8, rc, 0xDD);
        td = Avx512F.Shuffle4x128(r9, rd, 0xDD);
        te = Avx512F.Shuffle4x128(ra, re, 0xDD);
        tf = Avx512F.Shuffle4x128(rb, rf, 0xDD);

        Avx512F.Shuffle4x128(t0, t8, 0x88).Store(destination);
        Avx512F.Shuffle4x128(t1, t9, 0x88).Store(destination + destinationStride);
        Avx512F.Shuffle4x128(t2, ta, 0x88).Store(destination + (2 * destinationStride));
        Avx512F.Shuffle4x128(t3, tb, 0x88).Store(destination + (3 * destinationStride));
        Avx512F.Shuffle4x128(t4, tc, 0x88).Store(destination + (4 * destinationStride));
        Avx512F.Shuffle4x128(t5, td, 0x88).Store(destination + (5 * destinationStride));
        Avx512F.Shuffle4x128(t6, te, 0x88).Store(destination + (6 * destinationStride));
        Avx512F.Shuffle4x128(t7, tf, 0x88).Store(destination + (7 * destinationStride));
        Avx512F.Shuffle4x128(t0, t8, 0xDD).Store(destination + (8 * destinationStride));
        Avx512F.Shuffle4x128(t1, t9, 0xDD).Store(destination + (9 * destinationStride));
        Avx512F.Shuffle4x128(t2, ta, 0xDD).Store(destination + (10 * destinationStride));
        Avx512F.Shuffle4x128(t3, tb, 0xDD).Store(destination + (11 * destinationStride));
        Avx512F.Shuffle4x128(t4, tc, 0xDD).Store(destination + (12 * destinationStride));
        Avx512F.Shuffle4x128(t5, td, 0xDD).Store(destination + (13 * destinationStride));
        Avx512F.Shuffle4x128(t6, te, 0xDD).Store(destination + (14 * destinationStride));
        Avx512F.Shuffle4x128(t7, tf, 0xDD).Store(destination + (15 * destinationStride));
    }
}
