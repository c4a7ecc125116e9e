using MiniGpt5.Tensors.Cuda.Gemm;

namespace MiniGpt5.Tensors.Cuda.Tests.Gemm;

/// <summary>
/// Checks each plan by evaluating it: a column-major reference GEMM that reads the operands exactly as cuBLASLt
/// would (storage, leading dimensions, transposes, batch strides) must reproduce the row-major product.
/// </summary>
public sealed class GemmPlannerTests
{
    [Fact]
    public void Linear_is_y_transposed_equals_w_times_x_transposed()
    {
        // x [2, 3, 4] -> rows 6, K 4; w [5, 4].
        var x = Random(2 * 3 * 4, 1);
        var w = Random(5 * 4, 2);
        var plan = GemmPlanner.Linear([2, 3, 4], [12, 4, 1], [5, 4], [4, 1], out var reason)!.Value;

        Assert.Null(reason);
        Assert.True(plan.TransA);
        Assert.False(plan.TransB);
        var expected = new float[6 * 5];
        for (var r = 0; r < 6; r++)
        {
            for (var n = 0; n < 5; n++)
            {
                for (var k = 0; k < 4; k++)
                {
                    expected[(r * 5) + n] += x[(r * 4) + k] * w[(n * 4) + k];
                }
            }
        }

        Assert.Equal(expected, Evaluate(plan, a: w, b: x, dLength: 30), new Tolerance());
    }

    [Fact]
    public void Linear_rejects_a_non_contiguous_input_and_a_column_major_weight()
    {
        Assert.Null(GemmPlanner.Linear([4, 3], [1, 4], [5, 3], [3, 1], out var reason));
        Assert.Contains("contiguous", reason, StringComparison.Ordinal);
        Assert.Null(GemmPlanner.Linear([4, 3], [3, 1], [5, 3], [1, 5], out reason));
        Assert.Contains("row-major", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Im2col_then_the_planned_gemm_is_a_convolution()
    {
        // x [2, 3, 5, 6], w [4, 3, 3, 2], stride (2, 1), padding (1, 0), dilation (1, 2), as conv.cu unfolds it.
        const int n = 2, c = 3, h = 5, wd = 6, o = 4, kh = 3, kw = 2, sh = 2, sw = 1, ph = 1, pw = 0, dh = 1, dw = 2;
        const int ho = ((h + (2 * ph) - (dh * (kh - 1)) - 1) / sh) + 1, wo = ((wd + (2 * pw) - (dw * (kw - 1)) - 1) / sw) + 1;
        var x = Random(n * c * h * wd, 5);
        var w = Random(o * c * kh * kw, 6);
        float X(int b, int ch, int y, int z) => y < 0 || y >= h || z < 0 || z >= wd ? 0 : x[(((b * c) + ch) * h * wd) + (y * wd) + z];

        var expected = new float[n * o * ho * wo];
        for (var b = 0; b < n; b++)
        {
            for (var oc = 0; oc < o; oc++)
            {
                for (var oy = 0; oy < ho; oy++)
                {
                    for (var ox = 0; ox < wo; ox++)
                    {
                        float sum = 0;
                        for (var ch = 0; ch < c; ch++)
                        {
                            for (var i = 0; i < kh; i++)
                            {
                                for (var j = 0; j < kw; j++)
                                {
                                    sum += w[(((oc * c) + ch) * kh * kw) + (i * kw) + j] * X(b, ch, (oy * sh) - ph + (i * dh), (ox * sw) - pw + (j * dw));
                                }
                            }
                        }

                        expected[(((b * o) + oc) * ho * wo) + (oy * wo) + ox] = sum;
                    }
                }
            }
        }

        // cols [n][c][i][j][oy][ox], the kernel's linear index order.
        var cols = new float[n * c * kh * kw * ho * wo];
        var index = 0;
        for (var b = 0; b < n; b++)
        {
            for (var ch = 0; ch < c; ch++)
            {
                for (var i = 0; i < kh; i++)
                {
                    for (var j = 0; j < kw; j++)
                    {
                        for (var oy = 0; oy < ho; oy++)
                        {
                            for (var ox = 0; ox < wo; ox++)
                            {
                                cols[index++] = X(b, ch, (oy * sh) - ph + (i * dh), (ox * sw) - pw + (j * dw));
                            }
                        }
                    }
                }
            }
        }

        var plan = GemmPlanner.Im2colConvolution(n, o, c * kh * kw, ho * wo);
        Assert.Equal(expected, Evaluate(plan, a: cols, b: w, dLength: expected.Length), new Tolerance());
    }

    [Fact]
    public void A_single_output_feature_weight_ignores_the_stride_of_its_size_one_dimension()
    {
        var plan = GemmPlanner.Linear([3, 8], [8, 1], [1, 8], [1, 1], out var reason);
        Assert.Null(reason);
        Assert.Equal(8, plan!.Value.Lda);
    }

    [Theory]
    [InlineData(0UL, 256u)]
    [InlineData(0x7f00_0000_0000UL, 256u)]
    [InlineData(0x7f00_0000_0080UL, 128u)]
    [InlineData(0x7f00_0000_0002UL, 2u)]
    public void Operand_alignment_is_the_largest_power_of_two_up_to_256(ulong address, uint expected) =>
        Assert.Equal(expected, CublasLtGemm.Alignment(address));

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Batched_matmul_reads_transposed_views_in_place(bool aTransposed, bool bTransposed)
    {
        const int batch = 3, m = 4, k = 5, n = 2;
        var aData = Random(batch * m * k, 3);
        var bData = Random(batch * k * n, 4);

        // Element (i, j) of batch t: row-major, or from the storage of the transposed matrix.
        long[] aStrides = aTransposed ? [m * k, 1, m] : [m * k, k, 1];
        long[] bStrides = bTransposed ? [k * n, 1, k] : [k * n, n, 1];
        float A(int t, int i, int j) => aData[(t * aStrides[0]) + (i * aStrides[1]) + (j * aStrides[2])];
        float B(int t, int i, int j) => bData[(t * bStrides[0]) + (i * bStrides[1]) + (j * bStrides[2])];

        var plan = GemmPlanner.Matmul([batch], m, k, n, aStrides, bStrides, out var reason)!.Value;
        Assert.Null(reason);
        Assert.Equal(bTransposed, plan.TransA);
        Assert.Equal(aTransposed, plan.TransB);

        var expected = new float[batch * m * n];
        for (var t = 0; t < batch; t++)
        {
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    for (var p = 0; p < k; p++)
                    {
                        expected[(t * m * n) + (i * n) + j] += A(t, i, p) * B(t, p, j);
                    }
                }
            }
        }

        Assert.Equal(expected, Evaluate(plan, a: bData, b: aData, dLength: expected.Length), new Tolerance());
    }

    [Fact]
    public void A_broadcast_right_operand_gets_batch_stride_zero()
    {
        // a [2, 3, 4, 5] · b [5, 6] broadcast over the batch.
        var plan = GemmPlanner.Matmul([2, 3], 4, 5, 6, [60, 20, 5, 1], [0, 0, 6, 1], out _)!.Value;

        Assert.Equal(6, plan.Batch);
        Assert.Equal(0, plan.StrideA);
        Assert.Equal(20, plan.StrideB);
        Assert.Equal(24, plan.StrideD);
    }

    [Fact]
    public void Unfoldable_batches_and_strided_matrices_are_refused_with_a_reason()
    {
        // Batch dims [2, 3] where only the outer one is broadcast.
        Assert.Null(GemmPlanner.Matmul([2, 3], 4, 5, 6, [0, 20, 5, 1], [90, 30, 6, 1], out var reason));
        Assert.Contains("batch", reason, StringComparison.Ordinal);

        // A matrix whose elements are strided in both directions.
        Assert.Null(GemmPlanner.Matmul([1], 4, 5, 6, [40, 10, 2], [30, 6, 1], out reason));
        Assert.Contains("left operand", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new long[] { 3, 1 }, true, 1, 6)]
    [InlineData(new[] { 2, 3 }, new long[] { 0, 0 }, true, 0, 6)]
    [InlineData(new[] { 2, 1, 3 }, new long[] { 3, 99, 1 }, true, 1, 6)]
    [InlineData(new[] { 2, 3 }, new long[] { 1, 2 }, false, 0, 6)]
    public void Batch_strides_fold_or_refuse(int[] shape, long[] strides, bool ok, long stride, long count)
    {
        Assert.Equal(ok, GemmPlanner.TryBatchStride(shape, strides, out var folded, out var n));
        Assert.Equal(count, n);
        if (ok)
        {
            Assert.Equal(stride, folded);
        }
    }

    /// <summary>D = op(A)·op(B) column-major, as cuBLASLt computes it.</summary>
    private static float[] Evaluate(ColumnMajorGemm g, float[] a, float[] b, int dLength)
    {
        var d = new float[dLength];
        for (var t = 0; t < g.Batch; t++)
        {
            for (var i = 0; i < g.M; i++)
            {
                for (var j = 0; j < g.N; j++)
                {
                    float sum = 0;
                    for (var p = 0; p < g.K; p++)
                    {
                        var av = g.TransA ? a[(t * g.StrideA) + p + (i * g.Lda)] : a[(t * g.StrideA) + i + (p * g.Lda)];
                        var bv = g.TransB ? b[(t * g.StrideB) + j + (p * g.Ldb)] : b[(t * g.StrideB) + p + (j * g.Ldb)];
                        sum += av * bv;
                    }

                    d[(t * g.StrideD) + i + (j * g.Ldd)] = sum;
                }
            }
        }

        return d;
    }

    private static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    private sealed class Tolerance : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= 1e-5f;

        public int GetHashCode(float obj) => 0;
    }
}
