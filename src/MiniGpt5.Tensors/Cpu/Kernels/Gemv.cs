using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// C (+)= A·B for a few rows of A (LLM decoding: one token, or a handful of beams), where B is read exactly once and
/// the product is bound by memory bandwidth, not flops. Packing B as the GEMM does would double the traffic, so B is
/// streamed in its own layout and dtype (float32, or bfloat16/float16 widened in registers — a half-precision
/// weight is never expanded in memory):
/// <list type="bullet">
/// <item>columns of B are runs (B = Wᵀ of a row-major [N, K] weight, the linear layer): four weight rows at a time
/// are dotted with every row of A, so each loaded A vector feeds four FMAs;</item>
/// <item>rows of B are runs (x @ B with B row-major [K, N]): each thread owns a strip of columns, keeps the strip of
/// every output row in L1 and adds a[i, k]·B[k, strip] for k in steps of four.</item>
/// </list>
/// With AVX-512 the runs are widened 16 lanes at a time; elsewhere each run is converted into a float32 scratch row
/// and reduced with System.Numerics.Tensors.
/// </summary>
internal static unsafe class Gemv
{
    /// <summary>Most rows of A this path takes; beyond it the packed GEMM reuses B from cache and wins.</summary>
    public const int MaxRows = 4;

    /// <summary>How far ahead of the current position a single-token dot product prefetches (best of 512 to 4096 bytes measured).</summary>
    private const int PrefetchBytes = 2048;

    /// <summary>Columns of B per strip in the row-run case: 4 rows × 512 floats of output stay in L1.</summary>
    private const int Strip = 512;

    /// <summary>True when <paramref name="b"/> has a layout and dtype this path streams.</summary>
    public static bool Handles(StridedMatrix b) =>
        b.DType is DType.Float32 or DType.BFloat16 or DType.Float16 && (b.ColStride == 1 || b.RowStride == 1);

    /// <summary>C[i, j] (+)= Σₖ A[i, k]·B[k, j] for i &lt; m ≤ <see cref="MaxRows"/>.</summary>
    public static void Multiply(int m, int n, int k, StridedMatrix a, StridedMatrix b, float* c, long ldc, bool accumulate)
    {
        // A as float32 rows: [m, k], at most 4·k floats.
        var x = PinnedScratch.Get(PinnedScratch.Slot.GemvRows, (long)m * k);
        for (var i = 0; i < m; i++)
        {
            DTypeConvert.Load(a.Data + (i * a.RowStride * a.DType.SizeOf()), a.DType, a.ColStride, new Span<float>(x + ((long)i * k), k));
        }

        if (b.RowStride == 1 && b.ColStride != 1)
        {
            CpuParallel.For(n, (double)k * (m + 1), (start, end) => Dots(m, (int)start, (int)end, k, x, b, c, ldc, accumulate));
            return;
        }

        var strips = (n + Strip - 1) / Strip;
        CpuParallel.For(strips, (double)k * Strip * (m + 1), (start, end) =>
        {
            for (var s = (int)start; s < end; s++)
            {
                var j0 = s * Strip;
                Axpys(m, j0, Math.Min(n, j0 + Strip), k, x, b, c, ldc, accumulate);
            }
        });
    }

    /// <summary>C[i, j] for j in [j0, j1): dot products of the rows of A with columns j of B (runs along k).</summary>
    private static void Dots(int m, int j0, int j1, int k, float* x, StridedMatrix b, float* c, long ldc, bool accumulate)
    {
        var size = b.DType.SizeOf();
        var lineBytes = b.ColStride * size;
        var j = j0;
        if (Avx512F.IsSupported && m == 1)
        {
            // One token: each run is read start to end as one sequential stream (measured faster than four runs
            // interleaved, which split the prefetcher's attention between streams).
            for (; j < j1; j++)
            {
                var w = b.Data + (j * lineBytes);
                var dot = b.DType switch
                {
                    DType.Float32 => DotRun<Float32Run>(k, x, w),
                    DType.BFloat16 => DotRun<BFloat16Run>(k, x, w),
                    _ => DotRun<Float16Run>(k, x, w),
                };
                ref var target = ref c[j];
                target = accumulate ? target + dot : dot;
            }

            return;
        }

        if (Avx512F.IsSupported)
        {
            Span<float> sums = stackalloc float[4 * MaxRows];
            for (; j < j1; j += 4)
            {
                var lines = Math.Min(4, j1 - j);
                var w = b.Data + (j * lineBytes);
                switch (b.DType)
                {
                    case DType.Float32:
                        Dot4<Float32Run>(m, lines, k, x, w, lineBytes, sums);
                        break;
                    case DType.BFloat16:
                        Dot4<BFloat16Run>(m, lines, k, x, w, lineBytes, sums);
                        break;
                    default:
                        Dot4<Float16Run>(m, lines, k, x, w, lineBytes, sums);
                        break;
                }

                for (var i = 0; i < m; i++)
                {
                    for (var r = 0; r < lines; r++)
                    {
                        ref var target = ref c[(i * ldc) + j + r];
                        target = accumulate ? target + sums[(i * 4) + r] : sums[(i * 4) + r];
                    }
                }
            }

            return;
        }

        var line = b.DType == DType.Float32 ? default : Scratch.Row(1, k);
        for (; j < j1; j++)
        {
            ReadOnlySpan<float> column;
            if (b.DType == DType.Float32)
            {
                column = new ReadOnlySpan<float>(b.Data + (j * lineBytes), k);
            }
            else
            {
                DTypeConvert.Load(b.Data + (j * lineBytes), b.DType, 1, line);
                column = line;
            }

            for (var i = 0; i < m; i++)
            {
                var dot = TensorPrimitives.Dot(new ReadOnlySpan<float>(x + ((long)i * k), k), column);
                ref var target = ref c[(i * ldc) + j];
                target = accumulate ? target + dot : dot;
            }
        }
    }

    /// <summary>x·w for one run w of k elements: four independent accumulators, and a non-temporal software prefetch
    /// <see cref="PrefetchBytes"/> ahead, so the next run's first lines are on their way while this one finishes and
    /// the streamed weights do not evict x and the outputs (measured: the plain prefetch reached 80% of a pure read,
    /// the non-temporal one all of it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float DotRun<TRun>(int k, float* x, byte* w)
        where TRun : struct, IRun
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var p = 0;
        for (; p + 64 <= k; p += 64)
        {
            var line = TRun.Address(w, p);
            Sse.PrefetchNonTemporal(line + PrefetchBytes);
            Sse.PrefetchNonTemporal(line + PrefetchBytes + 64);
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + p), TRun.Load(w, p), a0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + p + 16), TRun.Load(w, p + 16), a1);
            a2 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + p + 32), TRun.Load(w, p + 32), a2);
            a3 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + p + 48), TRun.Load(w, p + 48), a3);
        }

        for (; p + 16 <= k; p += 16)
        {
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(x + p), TRun.Load(w, p), a0);
        }

        var sum = Vector512.Sum((a0 + a1) + (a2 + a3));
        for (; p < k; p++)
        {
            sum += x[p] * TRun.LoadOne(w, p);
        }

        return sum;
    }

    /// <summary>sums[i·4 + r] = x[i]·w[r] for up to four runs w[r] = w + r·lineBytes of k elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4<TRun>(int m, int lines, int k, float* x, byte* w, long lineBytes, Span<float> sums)
        where TRun : struct, IRun
    {
        // Missing lines re-read line 0 (their sums are never stored), so the loop body has no branches.
        var w0 = w;
        var w1 = lines > 1 ? w + lineBytes : w;
        var w2 = lines > 2 ? w + (2 * lineBytes) : w;
        var w3 = lines > 3 ? w + (3 * lineBytes) : w;
        for (var i0 = 0; i0 < m; i0 += 2)
        {
            // Two rows of A per pass: 8 accumulators, each loaded weight vector feeds two FMAs.
            var xa = x + ((long)i0 * k);
            var xb = i0 + 1 < m ? xa + k : xa;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
            var p = 0;
            for (; p + 16 <= k; p += 16)
            {
                var va = Vector512.Load(xa + p);
                var vb = Vector512.Load(xb + p);
                var v0 = TRun.Load(w0, p);
                var v1 = TRun.Load(w1, p);
                var v2 = TRun.Load(w2, p);
                var v3 = TRun.Load(w3, p);
                a0 = Avx512F.FusedMultiplyAdd(va, v0, a0);
                a1 = Avx512F.FusedMultiplyAdd(va, v1, a1);
                a2 = Avx512F.FusedMultiplyAdd(va, v2, a2);
                a3 = Avx512F.FusedMultiplyAdd(va, v3, a3);
                b0 = Avx512F.FusedMultiplyAdd(vb, v0, b0);
                b1 = Avx512F.FusedMultiplyAdd(vb, v1, b1);
                b2 = Avx512F.FusedMultiplyAdd(vb, v2, b2);
                b3 = Avx512F.FusedMultiplyAdd(vb, v3, b3);
            }

            float sa0 = Vector512.Sum(a0), sa1 = Vector512.Sum(a1), sa2 = Vector512.Sum(a2), sa3 = Vector512.Sum(a3);
            float sb0 = Vector512.Sum(b0), sb1 = Vector512.Sum(b1), sb2 = Vector512.Sum(b2), sb3 = Vector512.Sum(b3);
            for (; p < k; p++)
            {
                float e0 = TRun.LoadOne(w0, p), e1 = TRun.LoadOne(w1, p), e2 = TRun.LoadOne(w2, p), e3 = TRun.LoadOne(w3, p);
                sa0 += xa[p] * e0;
                sa1 += xa[p] * e1;
                sa2 += xa[p] * e2;
                sa3 += xa[p] * e3;
                sb0 += xb[p] * e0;
                sb1 += xb[p] * e1;
                sb2 += xb[p] * e2;
                sb3 += xb[p] * e3;
            }

            sums[(i0 * 4) + 0] = sa0;
            sums[(i0 * 4) + 1] = sa1;
            sums[(i0 * 4) + 2] = sa2;
            sums[(i0 * 4) + 3] = sa3;
            if (i0 + 1 < m)
            {
                sums[(i0 * 4) + 4] = sb0;
                sums[(i0 * 4) + 5] = sb1;
                sums[(i0 * 4) + 6] = sb2;
                sums[(i0 * 4) + 7] = sb3;
            }
        }
    }

    /// <summary>C[i, j0..j1) (+)= Σₖ x[i, k]·B[k, j0..j1) with rows of B as runs; the output strip stays in L1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpys(int m, int j0, int j1, int k, float* x, StridedMatrix b, float* c, long ldc, bool accumulate)
    {
        var width = j1 - j0;
        var size = b.DType.SizeOf();
        var rowBytes = b.RowStride * size;
        var origin = b.Data + (j0 * size);
        var acc = stackalloc float[MaxRows * Strip];
        for (var i = 0; i < m; i++)
        {
            var target = new Span<float>(acc + (i * Strip), width);
            if (accumulate)
            {
                new ReadOnlySpan<float>(c + (i * ldc) + j0, width).CopyTo(target);
            }
            else
            {
                target.Clear();
            }
        }

        if (Avx512F.IsSupported)
        {
            switch (b.DType)
            {
                case DType.Float32:
                    Axpy4<Float32Run>(m, width, k, x, origin, rowBytes, acc);
                    break;
                case DType.BFloat16:
                    Axpy4<BFloat16Run>(m, width, k, x, origin, rowBytes, acc);
                    break;
                default:
                    Axpy4<Float16Run>(m, width, k, x, origin, rowBytes, acc);
                    break;
            }
        }
        else
        {
            var line = Scratch.Row(1, width);
            for (var p = 0; p < k; p++)
            {
                DTypeConvert.Load(origin + (p * rowBytes), b.DType, 1, line);
                for (var i = 0; i < m; i++)
                {
                    var target = new Span<float>(acc + (i * Strip), width);
                    TensorPrimitives.MultiplyAdd(line, x[((long)i * k) + p], target, target);
                }
            }
        }

        for (var i = 0; i < m; i++)
        {
            new ReadOnlySpan<float>(acc + (i * Strip), width).CopyTo(new Span<float>(c + (i * ldc) + j0, width));
        }
    }

    /// <summary>acc[i·Strip + j] += Σₖ x[i, k]·B[k, j] for j &lt; width, four rows of B per pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy4<TRun>(int m, int width, int k, float* x, byte* origin, long rowBytes, float* acc)
        where TRun : struct, IRun
    {
        var p = 0;
        for (; p + 4 <= k; p += 4)
        {
            var r0 = origin + (p * rowBytes);
            var r1 = r0 + rowBytes;
            var r2 = r1 + rowBytes;
            var r3 = r2 + rowBytes;
            for (var i = 0; i < m; i++)
            {
                var xi = x + ((long)i * k) + p;
                var s0 = Vector512.Create(xi[0]);
                var s1 = Vector512.Create(xi[1]);
                var s2 = Vector512.Create(xi[2]);
                var s3 = Vector512.Create(xi[3]);
                var row = acc + (i * Strip);
                var j = 0;
                for (; j + 16 <= width; j += 16)
                {
                    var sum = Vector512.Load(row + j);
                    sum = Avx512F.FusedMultiplyAdd(s0, TRun.Load(r0, j), sum);
                    sum = Avx512F.FusedMultiplyAdd(s1, TRun.Load(r1, j), sum);
                    sum = Avx512F.FusedMultiplyAdd(s2, TRun.Load(r2, j), sum);
                    sum = Avx512F.FusedMultiplyAdd(s3, TRun.Load(r3, j), sum);
                    sum.Store(row + j);
                }

                for (; j < width; j++)
                {
                    row[j] += (xi[0] * TRun.LoadOne(r0, j)) + (xi[1] * TRun.LoadOne(r1, j)) + (xi[2] * TRun.LoadOne(r2, j)) + (xi[3] * TRun.LoadOne(r3, j));
                }
            }
        }

        for (; p < k; p++)
        {
            var r0 = origin + (p * rowBytes);
            for (var i = 0; i < m; i++)
            {
                var s0 = x[((long)i * k) + p];
                var row = acc + (i * Strip);
                var j = 0;
                for (; j + 16 <= width; j += 16)
                {
                    Avx512F.FusedMultiplyAdd(Vector512.Create(s0), TRun.Load(r0, j), Vector512.Load(row + j)).Store(row + j);
                }

                for (; j < width; j++)
                {
                    row[j] += s0 * TRun.LoadOne(r0, j);
                }
            }
        }
    }

    /// <summary>Reads elements of one dtype as float32: 16 lanes, or one.</summary>
    private interface IRun
    {
        static abstract Vector512<float> Load(byte* run, int index);

        static abstract float LoadOne(byte* run, int index);

        static abstract byte* Address(byte* run, int index);
    }

    private readonly struct Float32Run : IRun
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(byte* run, int index) => Vector512.Load((float*)run + index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LoadOne(byte* run, int index) => ((float*)run)[index];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static byte* Address(byte* run, int index) => (byte*)((float*)run + index);
    }

    private readonly struct BFloat16Run : IRun
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(byte* run, int index) => HalfWidening.BFloat16ToSingle(Vector256.Load((ushort*)run + index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LoadOne(byte* run, int index) => BFloat16.BitsToSingle(((ushort*)run)[index]);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static byte* Address(byte* run, int index) => (byte*)((ushort*)run + index);
    }

    private readonly struct Float16Run : IRun
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(byte* run, int index) => HalfWidening.Float16ToSingle(Vector256.Load((ushort*)run + index));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LoadOne(byte* run, int index) => (float)((Half*)run)[index];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static byte* Address(byte* run, int index) => (byte*)((Half*)run + index);
    }
}
