namespace MiniGpt5.Tensors.Cuda.Gemm;

/// <summary>
/// Maps the engine's row-major Linear and Matmul (shapes and element strides) onto <see cref="ColumnMajorGemm"/>,
/// reading transposed and sliced views in place when a leading dimension describes them, and folding batch
/// dimensions into one strided batch. Returns null with a reason when a layout needs a copy first.
/// </summary>
internal static class GemmPlanner
{
    /// <summary>y[rows, outFeatures] = x[rows, inFeatures] · w[outFeatures, inFeatures]ᵀ with x's leading dims
    /// flattened into rows.</summary>
    public static ColumnMajorGemm? Linear(ReadOnlySpan<int> xShape, ReadOnlySpan<long> xStrides, ReadOnlySpan<int> wShape, ReadOnlySpan<long> wStrides, out string? reason)
    {
        var k = xShape[^1];
        var n = wShape[0];
        long rows = 1;
        for (var d = 0; d < xShape.Length - 1; d++)
        {
            rows *= xShape[d];
        }

        if (!IsRowContiguous(xShape, xStrides))
        {
            reason = "x must be contiguous (make it contiguous first)";
            return null;
        }

        // w[n, k] row-major with leading dimension ldw: column-major k×n (ld ldw) used transposed.
        // A size-1 dimension's stride is arbitrary (unsqueeze leaves 1): it does not constrain the layout.
        var wRow = n == 1 ? k : wStrides[0];
        var wCol = k == 1 ? 1 : wStrides[1];
        if (wCol != 1 || wRow < k)
        {
            reason = "the weight must be row-major (a contiguous [out, in] matrix or a row slice of one)";
            return null;
        }

        reason = null;
        return new ColumnMajorGemm(TransA: true, TransB: false, M: n, N: rows, K: k, Lda: Math.Max(wRow, 1), Ldb: k, Ldd: n, Batch: 1, StrideA: 0, StrideB: 0, StrideD: 0);
    }

    /// <summary>out[batch..., m, n] = a[batch..., m, k] · b[batch..., k, n]; operand batch dims already broadcast to
    /// the output's (zero strides where broadcast). Output must be contiguous.</summary>
    public static ColumnMajorGemm? Matmul(
        ReadOnlySpan<int> batchShape,
        int m,
        int k,
        int n,
        ReadOnlySpan<long> aStrides,
        ReadOnlySpan<long> bStrides,
        out string? reason)
    {
        // Row-major a[m, k]: inner stride 1 -> column-major k×m (ld = row stride), not transposed;
        // outer stride 1 -> column-major m×k (ld = column stride), transposed.
        var aRow = aStrides[^2];
        var aCol = aStrides[^1];
        var bRow = bStrides[^2];
        var bCol = bStrides[^1];

        bool transB;
        long ldb;
        if (aCol == 1 && (aRow >= k || m == 1))
        {
            transB = false;
            ldb = Math.Max(aRow, k);
        }
        else if (aRow == 1 && (aCol >= m || k == 1))
        {
            transB = true;
            ldb = Math.Max(aCol, m);
        }
        else
        {
            reason = "the left operand's last two dimensions are neither row- nor column-major";
            return null;
        }

        bool transA;
        long lda;
        if (bCol == 1 && (bRow >= n || k == 1))
        {
            transA = false;
            lda = Math.Max(bRow, n);
        }
        else if (bRow == 1 && (bCol >= k || n == 1))
        {
            transA = true;
            lda = Math.Max(bCol, k);
        }
        else
        {
            reason = "the right operand's last two dimensions are neither row- nor column-major";
            return null;
        }

        if (!TryBatchStride(batchShape, aStrides[..^2], out var strideB, out var batch) ||
            !TryBatchStride(batchShape, bStrides[..^2], out var strideA, out _))
        {
            reason = "the batch dimensions cannot be folded into one strided batch (make the operands contiguous)";
            return null;
        }

        if (batch > int.MaxValue)
        {
            reason = $"a batch of {batch} products is more than cuBLASLt takes";
            return null;
        }

        reason = null;
        return new ColumnMajorGemm(transA, transB, M: n, N: m, K: k, Lda: lda, Ldb: ldb, Ldd: n, Batch: (int)batch, StrideA: strideA, StrideB: strideB, StrideD: (long)m * n);
    }

    /// <summary>Conv2d after im2col, per image: y[o, p] = w[o, k] · cols[k, p], for <paramref name="images"/>
    /// images at once (cols [images, k, p] contiguous; the weight shared, batch stride 0; y [images, o, p]).</summary>
    public static ColumnMajorGemm Im2colConvolution(int images, long outChannels, long k, long positions) =>
        // Column-major: D' [p × o] = cols' [p × k] · w' [k × o]; cols row-major [k, p] is column-major p×k (ld p),
        // w row-major [o, k] is column-major k×o (ld k).
        new(TransA: false, TransB: false, M: positions, N: outChannels, K: k, Lda: positions, Ldb: k, Ldd: positions,
            Batch: images, StrideA: k * positions, StrideB: 0, StrideD: outChannels * positions);

    /// <summary>One stride that walks every batch entry in order, or 0 when the operand is broadcast over all of
    /// them.</summary>
    internal static bool TryBatchStride(ReadOnlySpan<int> batchShape, ReadOnlySpan<long> strides, out long stride, out long count)
    {
        count = 1;
        foreach (var size in batchShape)
        {
            count *= size;
        }

        stride = 0;
        var allBroadcast = true;
        long expected = -1;
        for (var d = batchShape.Length - 1; d >= 0; d--)
        {
            if (batchShape[d] == 1)
            {
                continue;
            }

            if (strides[d] != 0)
            {
                allBroadcast = false;
            }

            if (expected < 0)
            {
                stride = strides[d];
                expected = strides[d] * batchShape[d];
            }
            else
            {
                if (strides[d] != expected)
                {
                    return false;
                }

                expected = strides[d] * batchShape[d];
            }
        }

        if (allBroadcast)
        {
            stride = 0;
            return true;
        }

        return true;
    }

    private static bool IsRowContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides)
    {
        long expected = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && strides[d] != expected)
            {
                return false;
            }

            expected *= shape[d];
        }

        return true;
    }
}
