using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>Embedding, index_select, gather, cat and nearest interpolation by explicit index arithmetic.</summary>
internal static class ReferenceIndexing
{
    public static void Embedding(Tensor weight, Tensor ids, Tensor output)
    {
        int vocab = weight.Shape[0], dim = weight.Shape[1];
        var table = Read(weight);
        var indices = RefTensor.ReadLong(ids);
        var result = new Values(output, indices.Length * dim);
        for (var r = 0; r < indices.Length; r++)
        {
            var id = CheckIndex(indices[r], vocab, "Embedding", "id");
            for (var d = 0; d < dim; d++)
            {
                result.Set((r * dim) + d, table, (id * dim) + d);
            }
        }

        result.WriteTo(output);
    }

    public static void IndexSelect(Tensor x, Tensor index, Tensor output, int dim)
    {
        var source = Read(x);
        var indices = RefTensor.ReadLong(index);
        var (outer, size, inner) = Split(x.Shape, dim);
        var result = new Values(output, outer * indices.Length * inner);
        for (var o = 0; o < outer; o++)
        {
            for (var j = 0; j < indices.Length; j++)
            {
                var i = CheckIndex(indices[j], size, "IndexSelect", "index");
                for (var n = 0; n < inner; n++)
                {
                    result.Set((((o * indices.Length) + j) * inner) + n, source, (((o * size) + i) * inner) + n);
                }
            }
        }

        result.WriteTo(output);
    }

    public static void Gather(Tensor x, Tensor index, Tensor output, int dim)
    {
        var source = Read(x);
        var indices = RefTensor.ReadLong(index);
        var shape = index.Shape.ToArray();
        var xStrides = Internal.ShapeMath.ContiguousStrides(x.Shape);
        var result = new Values(output, indices.Length);
        var position = new int[shape.Length];
        for (var flat = 0; flat < indices.Length; flat++)
        {
            var rest = flat;
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                position[d] = rest % shape[d];
                rest /= shape[d];
            }

            var i = CheckIndex(indices[flat], x.Shape[dim], "Gather", "index");
            long offset = 0;
            for (var d = 0; d < shape.Length; d++)
            {
                offset += (d == dim ? i : position[d]) * xStrides[d];
            }

            result.Set(flat, source, (int)offset);
        }

        result.WriteTo(output);
    }

    /// <summary>torch.scatter / scatter_add: out = x, then for every position p of index,
    /// out[p with dim replaced by index[p]] = src[p] (or += src[p]). Later positions win for duplicate targets.</summary>
    public static void Scatter(Tensor x, Tensor index, Tensor source, Tensor output, int dim, bool add)
    {
        var result = Read(x);
        var indices = RefTensor.ReadLong(index);
        var values = Read(source);
        var shape = index.Shape.ToArray();
        var xStrides = Internal.ShapeMath.ContiguousStrides(x.Shape);
        var sourceStrides = Internal.ShapeMath.ContiguousStrides(source.Shape);
        var position = new int[shape.Length];
        for (var flat = 0; flat < indices.Length; flat++)
        {
            var rest = flat;
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                position[d] = rest % shape[d];
                rest /= shape[d];
            }

            var i = CheckIndex(indices[flat], x.Shape[dim], add ? "ScatterAdd" : "Scatter", "index");
            long target = 0, from = 0;
            for (var d = 0; d < shape.Length; d++)
            {
                target += (d == dim ? i : position[d]) * xStrides[d];
                from += position[d] * sourceStrides[d];
            }

            if (result.Longs is not null)
            {
                var v = values.Longs?[from] ?? (long)values.Doubles![from];
                result.Longs[target] = add ? result.Longs[target] + v : v;
            }
            else
            {
                var v = values.Doubles?[from] ?? values.Longs![from];
                result.Doubles![target] = add ? result.Doubles[target] + v : v;
            }
        }

        if (result.Longs is not null)
        {
            RefTensor.Write(output, result.Longs);
        }
        else
        {
            RefTensor.Write(output, result.Doubles!);
        }
    }

    public static void Cat(ReadOnlySpan<Tensor> inputs, Tensor output, int dim)
    {
        var (outer, total, inner) = Split(output.Shape, dim);
        var result = new Values(output, (int)output.NumElements);
        var start = 0;
        foreach (var input in inputs)
        {
            var size = input.Shape[dim];
            var values = Read(input);
            for (var o = 0; o < outer; o++)
            {
                for (var j = 0; j < size; j++)
                {
                    for (var n = 0; n < inner; n++)
                    {
                        result.Set((((o * total) + start + j) * inner) + n, values, (((o * size) + j) * inner) + n);
                    }
                }
            }

            start += size;
        }

        result.WriteTo(output);
    }

    /// <summary>PyTorch's nearest: source = min(floor(dst · scale), in - 1) with a float32 scale that is 1/factor
    /// when a factor was given and in/out otherwise.</summary>
    public static void InterpolateNearest(Tensor x, Tensor output, InterpolateAttributes p)
    {
        var source = Read(x);
        int h = x.Shape[^2], w = x.Shape[^1], ho = output.Shape[^2], wo = output.Shape[^1];
        var planes = (int)(x.NumElements / Math.Max(h * w, 1));
        var result = new Values(output, (int)output.NumElements);
        for (var plane = 0; plane < planes; plane++)
        {
            for (var oy = 0; oy < ho; oy++)
            {
                var iy = NearestIndex(oy, h, ho, p.ScaleH);
                for (var ox = 0; ox < wo; ox++)
                {
                    var ix = NearestIndex(ox, w, wo, p.ScaleW);
                    result.Set((((plane * ho) + oy) * wo) + ox, source, (((plane * h) + iy) * w) + ix);
                }
            }
        }

        result.WriteTo(output);
    }

    public static int NearestIndex(int outputIndex, int inputSize, int outputSize, double? scaleFactor)
    {
        if (inputSize == outputSize)
        {
            return outputIndex;
        }

        if (outputSize == 2 * inputSize)
        {
            return outputIndex >> 1;
        }

        var scale = scaleFactor is > 0 ? (float)(1.0 / scaleFactor.Value) : (float)inputSize / outputSize;
        return Math.Min((int)MathF.Floor(outputIndex * scale), inputSize - 1);
    }

    private static (int Outer, int Size, int Inner) Split(ReadOnlySpan<int> shape, int dim)
    {
        int outer = 1, inner = 1;
        for (var i = 0; i < dim; i++)
        {
            outer *= shape[i];
        }

        for (var i = dim + 1; i < shape.Length; i++)
        {
            inner *= shape[i];
        }

        return (outer, shape[dim], inner);
    }

    private static int CheckIndex(long index, int size, string op, string what)
    {
        var i = index < 0 ? index + size : index;
        if (i < 0 || i >= size)
        {
            throw new ArgumentOutOfRangeException(what, index, $"{op}: {what} {index} is out of range for size {size}.");
        }

        return (int)i;
    }

    private static (double[]? Doubles, long[]? Longs) Read(Tensor tensor) =>
        RefTensor.IsIntegral(tensor.DType) ? (null, RefTensor.ReadLong(tensor)) : (RefTensor.ReadDouble(tensor), null);

    /// <summary>Output values kept as long for integer outputs and double otherwise, so copies are exact.</summary>
    private sealed class Values(Tensor output, int count)
    {
        private readonly double[]? _doubles = RefTensor.IsIntegral(output.DType) ? null : new double[count];
        private readonly long[]? _longs = RefTensor.IsIntegral(output.DType) ? new long[count] : null;

        public void Set(int index, (double[]? Doubles, long[]? Longs) source, int sourceIndex)
        {
            if (_longs is not null)
            {
                _longs[index] = source.Longs?[sourceIndex] ?? (long)source.Doubles![sourceIndex];
            }
            else
            {
                _doubles![index] = source.Doubles?[sourceIndex] ?? source.Longs![sourceIndex];
            }
        }

        public void WriteTo(Tensor tensor)
        {
            if (_longs is not null)
            {
                RefTensor.Write(tensor, _longs);
            }
            else
            {
                RefTensor.Write(tensor, _doubles!);
            }
        }
    }
}
