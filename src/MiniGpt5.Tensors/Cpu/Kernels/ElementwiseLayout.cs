using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Operands of an elementwise op (output first, inputs broadcast to the output shape) with their dims collapsed:
/// size-1 dims dropped and neighbours merged wherever every operand is contiguous across them. The work is then a
/// set of rows of <see cref="Inner"/> elements, each operand advancing by its own inner stride (0 = broadcast).
/// </summary>
internal sealed class ElementwiseLayout
{
    /// <summary>Elements processed per work unit: small enough for L1 scratch rows, big enough to amortise calls.</summary>
    public const int Chunk = 2048;

    private readonly int[] _outerShape;
    private readonly long[][] _outerStrides;

    private ElementwiseLayout(int inner, long[] innerStrides, int[] outerShape, long[][] outerStrides)
    {
        Inner = inner;
        InnerStrides = innerStrides;
        _outerShape = outerShape;
        _outerStrides = outerStrides;
        Rows = ShapeMath.NumElements(outerShape);
    }

    public int Inner { get; }

    public long[] InnerStrides { get; }

    public long Rows { get; }

    public int OperandCount => InnerStrides.Length;

    public static ElementwiseLayout Create(ReadOnlySpan<int> shape, ReadOnlySpan<Tensor> operands)
    {
        var count = operands.Length;
        var strides = new long[count][];
        for (var o = 0; o < count; o++)
        {
            strides[o] = ShapeMath.BroadcastStrides(operands[o].Shape, operands[o].Strides, shape, "elementwise");
        }

        var dims = new List<int>();
        var dimStrides = new List<long[]>();
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1)
            {
                continue;
            }

            var column = new long[count];
            for (var o = 0; o < count; o++)
            {
                column[o] = strides[o][d];
            }

            if (dims.Count > 0)
            {
                var last = dims.Count - 1;
                var mergeable = true;
                for (var o = 0; o < count; o++)
                {
                    if (dimStrides[last][o] != column[o] * shape[d])
                    {
                        mergeable = false;
                        break;
                    }
                }

                if (mergeable)
                {
                    dims[last] *= shape[d];
                    dimStrides[last] = column;
                    continue;
                }
            }

            dims.Add(shape[d]);
            dimStrides.Add(column);
        }

        if (dims.Count == 0)
        {
            dims.Add(ShapeMath.NumElements(shape) == 0 ? 0 : 1);
            dimStrides.Add(new long[count]);
        }

        var outerRank = dims.Count - 1;
        var outerStrides = new long[count][];
        for (var o = 0; o < count; o++)
        {
            outerStrides[o] = new long[outerRank];
            for (var d = 0; d < outerRank; d++)
            {
                outerStrides[o][d] = dimStrides[d][o];
            }
        }

        return new ElementwiseLayout(dims[^1], dimStrides[^1], dims.GetRange(0, outerRank).ToArray(), outerStrides);
    }

    /// <summary>Element offsets of each operand at the start of row <paramref name="row"/>.</summary>
    public void RowOffsets(long row, Span<long> offsets)
    {
        offsets.Clear();
        for (var d = _outerShape.Length - 1; d >= 0; d--)
        {
            var i = row % _outerShape[d];
            row /= _outerShape[d];
            for (var o = 0; o < offsets.Length; o++)
            {
                offsets[o] += i * _outerStrides[o][d];
            }
        }
    }

    /// <summary>Calls <paramref name="action"/>(offsets, count) for every chunk of every row, over all cores when the
    /// tensor is large.</summary>
    public void ForEachChunk(double costPerElement, ChunkAction action)
    {
        var inner = Inner;
        if (inner == 0 || Rows == 0)
        {
            return;
        }

        var chunksPerRow = (inner + Chunk - 1) / Chunk;
        var operands = OperandCount;
        var innerStrides = InnerStrides;
        CpuParallel.For(Rows * chunksPerRow, costPerElement * Math.Min(inner, Chunk), (start, end) =>
        {
            Span<long> offsets = stackalloc long[operands];
            for (var unit = start; unit < end; unit++)
            {
                var row = unit / chunksPerRow;
                var chunk = (int)(unit % chunksPerRow);
                RowOffsets(row, offsets);
                var first = chunk * Chunk;
                for (var o = 0; o < operands; o++)
                {
                    offsets[o] += first * innerStrides[o];
                }

                action(offsets, Math.Min(Chunk, inner - first));
            }
        });
    }
}

/// <summary>Work on one chunk: element offsets of each operand and the number of elements.</summary>
internal delegate void ChunkAction(ReadOnlySpan<long> offsets, int count);
