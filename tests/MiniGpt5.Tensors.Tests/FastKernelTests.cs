using MiniGpt5.Tensors.Tests.Support;

namespace MiniGpt5.Tensors.Tests;

/// <summary>
/// The fast CPU kernels against the reference kernels on random shapes chosen to cross every block boundary and
/// odd size the kernels have (GEMM panels, attention query/key blocks, the row path of attention and linear,
/// chunked elementwise rows), in every dtype. Tolerances are stated per test.
/// </summary>
public sealed class FastKernelTests
{
    private static Tensor Normal(int seed, int[] shape, DType dtype = DType.Float32, double scale = 1) =>
        RandomTensors.Normal(new Generator((ulong)seed), shape, dtype, scale);

    [Fact]
    public void Elementwise_ops_on_broadcast_strided_and_half_operands()
    {
        // Tolerance: float32 1e-6·(1+|x|) (transcendentals differ by an ulp or two); half types one output ulp.
        foreach (var dtype in new[] { DType.Float32, DType.BFloat16, DType.Float16 })
        {
            var (atol, rtol) = dtype == DType.Float32 ? (1e-6, 2e-6) : Kernels.Tolerance(dtype);
            RandomTensors.FastMatchesReference(() => Ops.Add(Normal(1, [3, 1, 2053], dtype), Normal(2, [5, 1], dtype)), atol, rtol, $"add broadcast {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.Mul(Normal(1, [7, 300], dtype).Transpose(0, 1), Normal(2, [300, 1], dtype)), atol, rtol, $"mul strided {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.Div(1.5, Ops.Add(Ops.Abs(Normal(3, [4099], dtype)), 0.5)), atol, rtol, $"rdiv {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.Gelu(Normal(4, [2, 2500], dtype, 4)), atol, rtol, $"gelu {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.Gelu(Normal(4, [2, 257], dtype, 4), GeluApproximation.Tanh), atol, rtol, $"gelu tanh {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.Silu(Normal(5, [3, 5, 7], dtype, 4).Permute(2, 0, 1)), atol, rtol, $"silu permuted {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.QuickGelu(Normal(6, [999], dtype, 4)), atol, rtol, $"quick gelu {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.Pow(Ops.Abs(Normal(7, [1000], dtype)), 1.7), atol, rtol, $"pow {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.Clamp(Normal(8, [3, 33], dtype), -0.5, 0.5), 0, 0, $"clamp {dtype}");
            RandomTensors.FastMatchesReference(
                () => Ops.Where(Ops.Gt(Normal(9, [4, 1, 9]), 0), Normal(10, [3, 9], dtype), Normal(11, [4, 3, 1], dtype)), 0, 0, $"where {dtype}");
            RandomTensors.FastMatchesReference(() => Normal(12, [5, 6, 7], dtype).Permute(2, 0, 1).Contiguous(), 0, 0, $"contiguous {dtype}");
        }

        RandomTensors.FastMatchesReference(() => Normal(13, [3, 4], DType.BFloat16).To(DType.Float16), 0, 0, "bf16 to f16");
        RandomTensors.FastMatchesReference(() => Normal(14, [70, 3], DType.Float32, 1e4).To(DType.BFloat16), 0, 0, "f32 to bf16");
    }

    [Fact]
    public void Exp_is_within_two_ulps_over_the_float_range()
    {
        // The fast kernels use their own float32 exp: 2 ulps (3e-7 relative) against the double-precision
        // reference from -87 to 88.7; below 2^-126 results flush to zero (atol 1.2e-38); specials exact.
        var values = Enumerable.Range(0, 20001).Select(i => -87f + (175.7f * i / 20000)).ToList();
        values.AddRange([float.NegativeInfinity, float.PositiveInfinity, float.NaN, -100f, 0f, -0f, 88.72f, 1e-8f]);
        var data = values.ToArray();
        RandomTensors.FastMatchesReference(() => Ops.Exp(Tensor.FromArray(data)), 1.2e-38, 3e-7, "exp");
        RandomTensors.FastMatchesReference(() => Ops.Sigmoid(Tensor.FromArray(data)), 1e-7, 3e-7, "sigmoid");
        RandomTensors.FastMatchesReference(() => Ops.Silu(Tensor.FromArray(data)), 1e-7, 3e-7, "silu");
    }

    [Fact]
    public void Linear_and_matmul_across_the_gemv_and_gemm_paths()
    {
        // Tolerance: 2e-5·√K absolute plus 1e-5 relative (float32 accumulation order); half outputs one ulp.
        foreach (var rows in new[] { 1, 2, 4, 5, 6, 7, 13, 100 })
        {
            foreach (var weightType in new[] { DType.Float32, DType.BFloat16, DType.Float16 })
            {
                RandomTensors.FastMatchesReference(
                    () => Ops.Linear(Normal(1, [rows, 131]), Normal(2, [37, 131], weightType), Normal(3, [37])),
                    2e-5 * Math.Sqrt(131),
                    1e-5,
                    $"linear rows={rows} weight={weightType}");
            }
        }

        // One token (the decode path streams each weight row once): K crosses the 64-wide main loop, the 16-wide loop
        // and the scalar tail in turn.
        foreach (var k in new[] { 15, 16, 64, 100, 2053 })
        {
            foreach (var weightType in new[] { DType.Float32, DType.BFloat16, DType.Float16 })
            {
                RandomTensors.FastMatchesReference(
                    () => Ops.Linear(Normal(16, [1, k]), Normal(17, [19, k], weightType)), 2e-5 * Math.Sqrt(k), 1e-5, $"one-row linear k={k} weight={weightType}");
            }
        }

        RandomTensors.FastMatchesReference(() => Ops.Linear(Normal(4, [2, 3, 65], DType.BFloat16), Normal(5, [33, 65], DType.BFloat16)), 1e-2, 1.6e-2, "linear bf16");
        RandomTensors.FastMatchesReference(() => Ops.Linear(Normal(6, [9, 2, 40]).Transpose(0, 1), Normal(7, [21, 40])), 2e-4, 1e-5, "linear strided input");
        RandomTensors.FastMatchesReference(() => Ops.Matmul(Normal(8, [3, 1, 17, 29]), Normal(9, [4, 29, 23])), 2e-4, 1e-5, "batched broadcast matmul");
        RandomTensors.FastMatchesReference(() => Ops.Matmul(Normal(10, [2, 5, 7, 29]), Normal(11, [29, 19])), 2e-4, 1e-5, "stacked matmul");
        RandomTensors.FastMatchesReference(
            () => Ops.Matmul(Normal(12, [2, 7, 29]), Normal(13, [2, 19, 29]).Transpose(1, 2)).Transpose(1, 2), 2e-4, 1e-5, "matmul transposed operand");
        RandomTensors.FastMatchesReference(() => Ops.Matmul(Normal(14, [29]), Normal(15, [3, 29, 4])), 2e-4, 1e-5, "vector matmul");
        RandomTensors.FastMatchesReference(() => Ops.Matmul(Normal(16, [5, 40], DType.Float16), Normal(17, [40, 6], DType.Float16)), 1e-3, 2e-3, "matmul f16");
    }

    [Fact]
    public void Convolutions_for_strides_paddings_dilations_and_groups()
    {
        // Tolerance: 1e-4 absolute (float32 sums over up to a few hundred taps); bfloat16 one ulp.
        (int Stride, int Padding, int Dilation, int Groups, int Kernel)[] cases =
        [(1, 1, 1, 1, 3), (2, 1, 1, 1, 3), (1, 2, 2, 1, 3), (1, 0, 1, 3, 3), (3, 2, 1, 1, 5), (1, 0, 1, 1, 1), (2, 0, 1, 1, 1), (1, 3, 1, 1, 7)];
        foreach (var (stride, padding, dilation, groups, kernel) in cases)
        {
            var context = $"conv s={stride} p={padding} d={dilation} g={groups} k={kernel}";
            RandomTensors.FastMatchesReference(
                () => Ops.Conv2d(Normal(1, [2, 6, 13, 11]), Normal(2, [9, 6 / groups, kernel, kernel]), Normal(3, [9]), stride, padding, dilation, groups),
                1e-4,
                1e-5,
                context);
        }

        RandomTensors.FastMatchesReference(
            () => Ops.Conv2d(Normal(4, [1, 4, 9, 9], DType.BFloat16), Normal(5, [5, 4, 3, 3], DType.BFloat16), null, padding: 1), 1e-2, 1.6e-2, "conv bf16");
        RandomTensors.FastMatchesReference(
            () => Ops.Conv2d(Normal(6, [1, 9, 4, 6]).Permute(0, 3, 1, 2), Normal(7, [3, 6, 3, 3]), null, padding: 1), 1e-4, 1e-5, "conv strided input");
        RandomTensors.FastMatchesReference(
            () => Ops.ConvTranspose2d(Normal(8, [2, 4, 5, 7]), Normal(9, [4, 3, 4, 4]), Normal(10, [3]), 2, 1), 1e-4, 1e-5, "conv transpose");
        RandomTensors.FastMatchesReference(
            () => Ops.ConvTranspose2d(Normal(11, [1, 6, 4, 4]), Normal(12, [6, 2, 3, 3]), null, (2, 1), (1, 0), (1, 0), 2, (1, 2)), 1e-4, 1e-5, "conv transpose groups");
    }

    [Fact]
    public void Norms_and_softmax_on_odd_rows()
    {
        // Tolerance: float32 2e-5 (float32 statistics versus double); half types one output ulp.
        foreach (var dtype in new[] { DType.Float32, DType.BFloat16 })
        {
            var (atol, rtol) = dtype == DType.Float32 ? (2e-5, 2e-5) : Kernels.Tolerance(dtype);
            RandomTensors.FastMatchesReference(() => Ops.LayerNorm(Normal(1, [3, 7, 77], dtype, 3), [77], Normal(2, [77]), Normal(3, [77])), atol, rtol, $"layer norm {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.LayerNorm(Normal(1, [3, 77, 7], dtype, 3).Transpose(1, 2), [77]), atol, rtol, $"layer norm strided {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.GroupNorm(Normal(4, [2, 12, 5, 3], dtype, 3), 3, Normal(5, [12]), Normal(6, [12]), 1e-6), atol, rtol, $"group norm {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.RmsNorm(Normal(7, [2, 3, 129], dtype), Normal(8, [129], dtype)), atol, rtol, $"rms norm {dtype}");
            foreach (var dim in new[] { -1, 0, 1 })
            {
                RandomTensors.FastMatchesReference(() => Ops.Softmax(Normal(9, [5, 9, 301], dtype, 5), dim), atol, rtol, $"softmax dim {dim} {dtype}");
                RandomTensors.FastMatchesReference(() => Ops.LogSoftmax(Normal(9, [5, 9, 31], dtype, 5), dim), atol * 10, rtol, $"log softmax dim {dim} {dtype}");
            }
        }
    }

    [Fact]
    public void Attention_across_block_boundaries_masks_and_layouts()
    {
        // Tolerance: 2e-5 (float32 online softmax versus the double-precision materialised one); bfloat16 one ulp.
        (int L, int S, int E, int Ev)[] shapes = [(1, 1, 8, 8), (1, 300, 64, 64), (3, 257, 33, 17), (4, 5, 8, 8), (7, 130, 16, 40), (49, 49, 64, 64), (97, 200, 24, 24), (130, 33, 8, 5)];
        foreach (var (l, s, e, ev) in shapes)
        {
            var context = $"L={l} S={s} E={e} Ev={ev}";
            RandomTensors.FastMatchesReference(
                () => Ops.ScaledDotProductAttention(Normal(1, [2, 2, l, e]), Normal(2, [2, 2, s, e]), Normal(3, [2, 2, s, ev])), 2e-5, 2e-5, context);
            RandomTensors.FastMatchesReference(
                () => Ops.ScaledDotProductAttention(Normal(1, [1, 2, l, e]), Normal(2, [1, 2, s, e]), Normal(3, [1, 2, s, ev]), isCausal: true, causalVariant: CausalVariant.LowerRight),
                2e-5,
                2e-5,
                context + " causal lower-right");
            if (l <= s)
            {
                RandomTensors.FastMatchesReference(
                    () => Ops.ScaledDotProductAttention(Normal(1, [1, 2, l, e]), Normal(2, [1, 2, s, e]), Normal(3, [1, 2, s, ev]), isCausal: true),
                    2e-5,
                    2e-5,
                    context + " causal upper-left");
            }

            RandomTensors.FastMatchesReference(
                () =>
                {
                    var mask = Ops.Gt(Normal(4, [l, s]), -1.0);
                    var always = Tensor.Ones([l, 1], DType.Bool);
                    mask = Ops.Cat([always, mask.Narrow(1, 1, s - 1)], 1);
                    return Ops.ScaledDotProductAttention(Normal(1, [1, 2, l, e]), Normal(2, [1, 2, s, e]), Normal(3, [1, 2, s, ev]), mask);
                },
                2e-5,
                2e-5,
                context + " bool mask");
            RandomTensors.FastMatchesReference(
                () => Ops.ScaledDotProductAttention(Normal(1, [2, 1, l, e]), Normal(2, [2, 1, s, e]), Normal(3, [2, 1, s, ev]), Normal(5, [2, 1, 1, s], scale: 3), scale: 0.2),
                2e-5,
                2e-5,
                context + " float mask");
        }

        RandomTensors.FastMatchesReference(
            () => Ops.ScaledDotProductAttention(Normal(1, [1, 8, 9, 16]), Normal(2, [1, 2, 20, 16]), Normal(3, [1, 2, 20, 16]), enableGqa: true), 2e-5, 2e-5, "gqa");
        RandomTensors.FastMatchesReference(
            () => Ops.ScaledDotProductAttention(Normal(1, [1, 8, 1, 16]), Normal(2, [1, 2, 20, 16]), Normal(3, [1, 2, 20, 16]), enableGqa: true), 2e-5, 2e-5, "gqa decode");
        RandomTensors.FastMatchesReference(
            () => Ops.ScaledDotProductAttention(
                Normal(1, [2, 60, 3, 16]).Transpose(1, 2), Normal(2, [2, 70, 3, 16]).Transpose(1, 2), Normal(3, [2, 70, 3, 16]).Transpose(1, 2)),
            2e-5,
            2e-5,
            "strided heads");
        RandomTensors.FastMatchesReference(
            () => Ops.ScaledDotProductAttention(Normal(1, [1, 2, 50, 32], DType.BFloat16), Normal(2, [1, 2, 70, 32], DType.BFloat16), Normal(3, [1, 2, 70, 32], DType.BFloat16)),
            1e-2,
            1.6e-2,
            "bf16");
        RandomTensors.FastMatchesReference(
            () => Ops.ScaledDotProductAttention(Normal(1, [10, 24]), Normal(2, [30, 24]), Normal(3, [30, 24])), 2e-5, 2e-5, "rank 2");
    }

    [Fact]
    public void Rope_indexing_reductions_and_sorting()
    {
        foreach (var dtype in new[] { DType.Float32, DType.BFloat16, DType.Float16 })
        {
            RandomTensors.FastMatchesReference(() => Ops.Rope(Normal(1, [2, 3, 5, 10], dtype), Tensor.FromArray<long>([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], [2, 5])), 0, 0, $"rope {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.Embedding(Tensor.FromArray<int>([4, 0, 9, 4], [2, 2]), Normal(2, [10, 7], dtype)), 0, 0, $"embedding {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.Cat([Normal(3, [2, 3, 4], dtype), Normal(4, [2, 1, 4], dtype).Expand(2, 5, 4), Normal(5, [4, 2, 2], dtype).Permute(1, 2, 0)], 1), 0, 0, $"cat {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.InterpolateNearest(Normal(6, [1, 3, 5, 7], dtype), 2.0), 0, 0, $"upsample {dtype}");
            RandomTensors.FastMatchesReference(() => Ops.InterpolateNearest(Normal(6, [1, 3, 5, 7], dtype), 8, 3), 0, 0, $"resize {dtype}");
        }

        // Tolerance: 1e-5 relative for float32 sums (SIMD order versus double); exact for max and indices.
        RandomTensors.FastMatchesReference(() => Ops.Sum(Normal(7, [3, 4, 1001]), [1, 2]), 1e-4, 1e-5, "sum");
        RandomTensors.FastMatchesReference(() => Ops.Mean(Normal(7, [3, 4, 1001]), -1, keepDim: true), 1e-6, 1e-5, "mean");
        RandomTensors.FastMatchesReference(() => Ops.Var(Normal(7, [3, 1001]), 1), 1e-5, 1e-5, "var");
        RandomTensors.FastMatchesReference(() => Ops.Amax(Normal(7, [3, 4, 1001]), -1), 0, 0, "amax");
        RandomTensors.FastMatchesReference(() => Ops.Argmax(Normal(7, [3, 32000]), -1), 0, 0, "argmax");
        RandomTensors.FastMatchesReference(() => Ops.TopK(Normal(8, [2, 32000]), 50).Indices, 0, 0, "topk indices");
        RandomTensors.FastMatchesReference(() => Ops.TopK(Normal(8, [2, 300], DType.BFloat16), 50, largest: false).Values, 0, 0, "topk smallest with ties");
        RandomTensors.FastMatchesReference(() => Ops.Sort(Normal(9, [3, 777], DType.BFloat16), descending: true).Indices, 0, 0, "sort with ties");
    }
}
