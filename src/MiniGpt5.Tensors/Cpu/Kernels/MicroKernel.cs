using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// The register tile of the GEMM: C[MR×NR] (+)= Σₖ A[:, k]·B[k, :] over packed panels, A as kc groups of MR floats
/// and B as kc groups of NR floats. The whole tile lives in registers for the k loop: each step broadcasts MR values
/// of A and issues MR·NR/width fused multiply-adds against NR/width vector loads of B. The rows of C are prefetched
/// before the k loop, so their (one) read-modify-write does not stall at the end.
/// <list type="bullet">
/// <item>AVX-512: 8×32 — 16 zmm accumulators, 2 B vectors, 1 broadcast (19 of 32 registers); 10 loads per 16 FMAs.
/// Tried on the 2-core Zen 5 this was written on (single-thread CPU time, GEMM 512..2048): 6×32, 12×32, 14×32 and
/// 8×48 tiles were within noise of it, C prefetch gained ~5-10 % at 2048, and 8 rows let A be packed with 8×8
/// register transposes (6 rows could not).</item>
/// <item>AVX2+FMA: 6×16 — 12 ymm accumulators, 2 B vectors, 1 broadcast (15 of 16 registers).</item>
/// <item>Scalar: 4×4 fallback for machines without either.</item>
/// </list>
/// </summary>
internal sealed unsafe class MicroKernel
{
    private MicroKernel(string name, int mr, int nr, int kc, int mc, delegate*<int, float*, float*, float*, long, bool, void> tile)
    {
        Name = name;
        Mr = mr;
        Nr = nr;
        Kc = kc;
        Mc = mc;
        Tile = tile;
    }

    public string Name { get; }

    /// <summary>Rows of the register tile.</summary>
    public int Mr { get; }

    /// <summary>Columns of the register tile.</summary>
    public int Nr { get; }

    /// <summary>Depth of one packed block: keeps a kc×NR panel of B within L1 (32 KB of 48 KB for AVX-512, 16 KB for
    /// AVX2) while the kc-deep A panels stream past it.</summary>
    public int Kc { get; }

    /// <summary>Rows of A per L2-resident block (a multiple of MR): MC·KC floats of packed A (128 KB for AVX-512)
    /// stay in L2 while every B panel of a column group passes through L1.</summary>
    public int Mc { get; }

    /// <summary>(kc, packedA, packedB, c, ldc, accumulate): writes (or adds to) a full MR×NR tile of C.</summary>
    public delegate*<int, float*, float*, float*, long, bool, void> Tile { get; }

    public static MicroKernel Avx512 { get; } = new("avx512-8x32", 8, 32, 256, 128, &Avx512Tile);

    public static MicroKernel Avx2 { get; } = new("avx2-6x16", 6, 16, 256, 96, &Avx2Tile);

    public static MicroKernel Scalar { get; } = new("scalar-4x4", 4, 4, 256, 96, &ScalarTile);

    /// <summary>The fastest kernel this CPU runs.</summary>
    public static MicroKernel Best { get; } =
        Avx512F.IsSupported ? Avx512 : Fma.IsSupported && System.Runtime.Intrinsics.X86.Avx2.IsSupported ? Avx2 : Scalar;

    /// <summary>Every kernel this CPU can run (for tests).</summary>
    public static IReadOnlyList<MicroKernel> Supported { get; } =
        new[] { Avx512F.IsSupported ? Avx512 : null, Fma.IsSupported && System.Runtime.Intrinsics.X86.Avx2.IsSupported ? Avx2 : null, Scalar }
            .Where(k => k is not null).Select(k => k!).ToArray();

    public override string ToString() => Name;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx512Tile(int kc, float* a, float* b, float* c, long ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        PrefetchTile(c, ldc, 8, 32);
        for (var k = 0; k < kc; k++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(a6, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(a7, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += 32;
        }

        Store512(accumulate, c, c00, c01);
        Store512(accumulate, c + ldc, c10, c11);
        Store512(accumulate, c + (2 * ldc), c20, c21);
        Store512(accumulate, c + (3 * ldc), c30, c31);
        Store512(accumulate, c + (4 * ldc), c40, c41);
        Store512(accumulate, c + (5 * ldc), c50, c51);
        Store512(accumulate, c + (6 * ldc), c60, c61);
        Store512(accumulate, c + (7 * ldc), c70, c71);
    }

    /// <summary>Prefetches the first, middle and last cache line of each of the tile's rows of C (a row of up to 32
    /// floats spans at most three lines).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, long ldc, int rows, int cols)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (var i = 0; i < rows; i++)
        {
            var row = c + (i * ldc);
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + (cols / 2));
            Sse.Prefetch0(row + (cols - 1));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(bool accumulate, float* row, Vector512<float> v0, Vector512<float> v1)
    {
        if (accumulate)
        {
            v0 += Vector512.Load(row);
            v1 += Vector512.Load(row + 16);
        }

        v0.Store(row);
        v1.Store(row + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx2Tile(int kc, float* a, float* b, float* c, long ldc, bool accumulate)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        PrefetchTile(c, ldc, 6, 16);
        for (var k = 0; k < kc; k++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }

        Store256(c, c00, c01, accumulate);
        Store256(c + ldc, c10, c11, accumulate);
        Store256(c + (2 * ldc), c20, c21, accumulate);
        Store256(c + (3 * ldc), c30, c31, accumulate);
        Store256(c + (4 * ldc), c40, c41, accumulate);
        Store256(c + (5 * ldc), c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* row, Vector256<float> left, Vector256<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector256.Load(row);
            right += Vector256.Load(row + 8);
        }

        left.Store(row);
        right.Store(row + 8);
    }

    private static void ScalarTile(int kc, float* a, float* b, float* c, long ldc, bool accumulate)
    {
        var tile = stackalloc float[16];
        for (var i = 0; i < 16; i++)
        {
            tile[i] = 0;
        }

        for (var k = 0; k < kc; k++)
        {
            for (var i = 0; i < 4; i++)
            {
                var ai = a[i];
                for (var j = 0; j < 4; j++)
                {
                    tile[(i * 4) + j] += ai * b[j];
                }
            }

            a += 4;
            b += 4;
        }

        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                c[(i * ldc) + j] = accumulate ? c[(i * ldc) + j] + tile[(i * 4) + j] : tile[(i * 4) + j];
            }
        }
    }
}
