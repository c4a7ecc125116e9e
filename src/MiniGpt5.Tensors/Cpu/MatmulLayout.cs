using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors.Cpu;

/// <summary>
/// torch.matmul's operands as a batch of matrices: C[b] (M×N) = A[b] (M×K) · B[b] (K×N), with batch dims broadcast
/// and 1-D operands promoted (a vector on the left is one row, on the right one column). Strides are in elements;
/// broadcast batch dims have stride 0.
/// </summary>
internal sealed class MatmulLayout
{
    public required int[] BatchShape { get; init; }

    public required long[] ABatchStrides { get; init; }

    public required long[] BBatchStrides { get; init; }

    public required long[] CBatchStrides { get; init; }

    public required int M { get; init; }

    public required int N { get; init; }

    public required int K { get; init; }

    public required long ARowStride { get; init; }

    public required long AColStride { get; init; }

    public required long BRowStride { get; init; }

    public required long BColStride { get; init; }

    public required long CRowStride { get; init; }

    public required long CColStride { get; init; }

    public long BatchCount => ShapeMath.NumElements(BatchShape);

    /// <summary>Output shape of torch.matmul(a, b), validating the operands.</summary>
    public static int[] OutputShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            throw new TensorShapeException($"Matmul: both operands need at least one dim, got {ShapeMath.Format(a)} and {ShapeMath.Format(b)}.");
        }

        var k1 = a[^1];
        var k2 = b.Length == 1 ? b[0] : b[^2];
        if (k1 != k2)
        {
            throw new TensorShapeException(
                $"Matmul: shapes {ShapeMath.Format(a)} and {ShapeMath.Format(b)} cannot be multiplied ({k1} columns vs {k2} rows).");
        }

        var aBatch = a.Length > 2 ? a[..^2] : [];
        var bBatch = b.Length > 2 ? b[..^2] : [];
        var batch = ShapeMath.Broadcast(aBatch, bBatch, "Matmul");
        var shape = new List<int>(batch);
        if (a.Length >= 2)
        {
            shape.Add(a[^2]);
        }

        if (b.Length >= 2)
        {
            shape.Add(b[^1]);
        }

        return shape.ToArray();
    }

    public static MatmulLayout Create(Tensor a, Tensor b, Tensor c)
    {
        var aShape = a.Shape;
        var bShape = b.Shape;
        var batch = ShapeMath.Broadcast(aShape.Length > 2 ? aShape[..^2] : [], bShape.Length > 2 ? bShape[..^2] : [], "Matmul");
        var aBatch = ShapeMath.BroadcastStrides(
            aShape.Length > 2 ? aShape[..^2] : [], aShape.Length > 2 ? a.Strides[..^2] : [], batch, "Matmul");
        var bBatch = ShapeMath.BroadcastStrides(
            bShape.Length > 2 ? bShape[..^2] : [], bShape.Length > 2 ? b.Strides[..^2] : [], batch, "Matmul");
        var cBatch = c.Strides[..batch.Length].ToArray();
        var m = aShape.Length >= 2 ? aShape[^2] : 1;
        var n = bShape.Length >= 2 ? bShape[^1] : 1;
        var cRank = c.Rank;
        return new MatmulLayout
        {
            BatchShape = batch,
            ABatchStrides = aBatch,
            BBatchStrides = bBatch,
            CBatchStrides = cBatch,
            M = m,
            N = n,
            K = aShape[^1],
            ARowStride = aShape.Length >= 2 ? a.Strides[^2] : 0,
            AColStride = a.Strides[^1],
            BRowStride = bShape.Length >= 2 ? b.Strides[^2] : b.Strides[0],
            BColStride = bShape.Length >= 2 ? b.Strides[^1] : 0,
            CRowStride = aShape.Length >= 2 ? c.Strides[bShape.Length >= 2 ? cRank - 2 : cRank - 1] : 0,
            CColStride = bShape.Length >= 2 ? c.Strides[cRank - 1] : 0,
        };
    }

    /// <summary>Element offsets of batch <paramref name="batchIndex"/> (row-major over the batch shape).</summary>
    public (long A, long B, long C) BatchOffsets(long batchIndex)
    {
        long a = 0, b = 0, c = 0;
        for (var d = BatchShape.Length - 1; d >= 0; d--)
        {
            var i = batchIndex % BatchShape[d];
            batchIndex /= BatchShape[d];
            a += i * ABatchStrides[d];
            b += i * BBatchStrides[d];
            c += i * CBatchStrides[d];
        }

        return (a, b, c);
    }
}
