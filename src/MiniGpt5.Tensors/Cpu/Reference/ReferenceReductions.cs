using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>Sum, mean, max/min, argmax/argmin, variance and cumulative sum over any dims.</summary>
internal static class ReferenceReductions
{
    public static void Reduce(OpKind kind, Tensor x, Tensor output, ReduceAttributes p)
    {
        var groups = Group(x.Shape, p.Dims);
        if (kind is OpKind.Sum && RefTensor.IsIntegral(output.DType))
        {
            var longs = RefTensor.ReadLong(x);
            RefTensor.Write(output, groups.Select(g => g.Sum(i => longs[i])).ToArray());
            return;
        }

        if (kind is OpKind.Amax or OpKind.Amin && RefTensor.IsIntegral(output.DType))
        {
            var longs = RefTensor.ReadLong(x);
            RefTensor.Write(output, groups.Select(g => kind == OpKind.Amax ? g.Max(i => longs[i]) : g.Min(i => longs[i])).ToArray());
            return;
        }

        var values = RefTensor.ReadDouble(x);
        if (kind is OpKind.Argmax or OpKind.Argmin)
        {
            RefTensor.Write(output, groups.Select(g => (long)ArgExtreme(g.Select(i => values[i]).ToArray(), kind == OpKind.Argmax)).ToArray());
            return;
        }

        var result = groups.Select(g =>
        {
            var slice = g.Select(i => values[i]).ToArray();
            return kind switch
            {
                OpKind.Sum => slice.Sum(),
                OpKind.Mean => slice.Sum() / slice.Length,
                OpKind.Amax => slice.Aggregate(double.NegativeInfinity, ReferenceMath.MaxNaN),
                OpKind.Amin => slice.Aggregate(double.PositiveInfinity, ReferenceMath.MinNaN),
                OpKind.Var => Variance(slice, p.Correction),
                _ => throw new NotSupportedException($"{kind} is not a reduction."),
            };
        }).ToArray();
        RefTensor.Write(output, result);
    }

    public static void Cumsum(Tensor x, Tensor output, int dim)
    {
        var shape = x.Shape.ToArray();
        int outer = 1, inner = 1, size = shape[dim];
        for (var i = 0; i < dim; i++)
        {
            outer *= shape[i];
        }

        for (var i = dim + 1; i < shape.Length; i++)
        {
            inner *= shape[i];
        }

        if (RefTensor.IsIntegral(output.DType))
        {
            var values = RefTensor.ReadLong(x);
            Scan(values, outer, size, inner, (a, b) => a + b);
            RefTensor.Write(output, values);
        }
        else
        {
            var values = RefTensor.ReadDouble(x);
            Scan(values, outer, size, inner, (a, b) => a + b);
            RefTensor.Write(output, values);
        }
    }

    /// <summary>Index of the largest (smallest) value, first occurrence; NaN counts as the extreme, as in PyTorch.</summary>
    public static int ArgExtreme(ReadOnlySpan<double> values, bool largest)
    {
        var best = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsNaN(values[i]))
            {
                return i;
            }

            if (largest ? values[i] > values[best] : values[i] < values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>For each output element (row-major over the kept dims), the flat input indices reduced into it.</summary>
    public static List<List<long>> Group(ReadOnlySpan<int> shape, int[] dims)
    {
        var reduced = new bool[shape.Length];
        foreach (var d in dims)
        {
            reduced[d] = true;
        }

        var strides = ShapeMath.ContiguousStrides(shape);
        var kept = Enumerable.Range(0, shape.Length).Where(d => !reduced[d]).ToArray();
        var gone = Enumerable.Range(0, shape.Length).Where(d => reduced[d]).ToArray();
        long keptCount = 1, goneCount = 1;
        foreach (var d in kept)
        {
            keptCount *= shape[d];
        }

        foreach (var d in gone)
        {
            goneCount *= shape[d];
        }

        var groups = new List<List<long>>((int)keptCount);
        for (long k = 0; k < keptCount; k++)
        {
            long baseOffset = 0;
            var rest = k;
            for (var i = kept.Length - 1; i >= 0; i--)
            {
                baseOffset += rest % shape[kept[i]] * strides[kept[i]];
                rest /= shape[kept[i]];
            }

            var members = new List<long>((int)goneCount);
            for (long g = 0; g < goneCount; g++)
            {
                long offset = baseOffset;
                var r = g;
                for (var i = gone.Length - 1; i >= 0; i--)
                {
                    offset += r % shape[gone[i]] * strides[gone[i]];
                    r /= shape[gone[i]];
                }

                members.Add(offset);
            }

            groups.Add(members);
        }

        return groups;
    }

    private static double Variance(double[] values, int correction)
    {
        var mean = values.Average();
        var squares = values.Sum(v => (v - mean) * (v - mean));
        return squares / Math.Max(values.Length - correction, 0);
    }

    private static void Scan<T>(T[] values, int outer, int size, int inner, Func<T, T, T> add)
    {
        for (var o = 0; o < outer; o++)
        {
            for (var n = 0; n < inner; n++)
            {
                for (var j = 1; j < size; j++)
                {
                    var index = (((o * size) + j) * inner) + n;
                    values[index] = add(values[index - inner], values[index]);
                }
            }
        }
    }
}
