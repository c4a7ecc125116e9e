using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>Stable sort, top-k and multinomial sampling, one row (along the chosen dim) at a time.</summary>
internal static class ReferenceSorting
{
    public static void Sort(Tensor x, Tensor values, Tensor indices, SortAttributes p) =>
        SortedRows(x, values, indices, p.Dim, x.Shape[p.Dim], p.Descending);

    public static void TopK(Tensor x, Tensor values, Tensor indices, TopKAttributes p) =>
        SortedRows(x, values, indices, p.Dim, p.K, p.Largest);

    public static void Multinomial(Tensor probabilities, Tensor output, MultinomialAttributes p)
    {
        var n = probabilities.Shape[^1];
        var rows = (int)(probabilities.NumElements / Math.Max(n, 1));
        var weights = RefTensor.ReadDouble(probabilities);
        var result = new long[rows * p.NumSamples];
        for (var r = 0; r < rows; r++)
        {
            var row = weights.AsSpan(r * n, n).ToArray();
            for (var i = 0; i < n; i++)
            {
                if (!(row[i] >= 0) || double.IsInfinity(row[i]))
                {
                    throw new ArgumentException($"Multinomial: probability {row[i]} at row {r}, index {i} is negative, infinite or NaN.");
                }
            }

            for (var s = 0; s < p.NumSamples; s++)
            {
                var total = row.Sum();
                if (total <= 0)
                {
                    throw new ArgumentException(
                        $"Multinomial: row {r} has no positive probability left to draw sample {s} of {p.NumSamples}.");
                }

                var chosen = Draw(row, total, p.Generator.NextDouble());
                result[(r * p.NumSamples) + s] = chosen;
                if (!p.Replacement)
                {
                    row[chosen] = 0;
                }
            }
        }

        RefTensor.Write(output, result);
    }

    /// <summary>Inverse-CDF draw: the first index whose running sum exceeds u·total (zero weights never chosen).</summary>
    public static int Draw(ReadOnlySpan<double> weights, double total, double uniform)
    {
        var target = uniform * total;
        double running = 0;
        var last = -1;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] <= 0)
            {
                continue;
            }

            last = i;
            running += weights[i];
            if (target < running)
            {
                return i;
            }
        }

        return last;
    }

    /// <summary>Orders a row: descending puts NaN first, ascending last (PyTorch); ties keep input order.</summary>
    public static int[] Order(ReadOnlySpan<double> row, bool descending)
    {
        var values = row.ToArray();
        var order = Enumerable.Range(0, values.Length);
        return (descending
            ? order.OrderByDescending(i => values[i], NaNLargest.Instance)
            : order.OrderBy(i => values[i], NaNLargest.Instance)).ToArray();
    }

    private static void SortedRows(Tensor x, Tensor values, Tensor indices, int dim, int keep, bool descending)
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

        var integral = RefTensor.IsIntegral(x.DType);
        var source = RefTensor.ReadDouble(x);
        var longs = integral ? RefTensor.ReadLong(x) : null;
        var outValues = new double[outer * keep * inner];
        var outLongs = new long[outer * keep * inner];
        var outIndices = new long[outer * keep * inner];
        var row = new double[size];
        for (var o = 0; o < outer; o++)
        {
            for (var n = 0; n < inner; n++)
            {
                for (var j = 0; j < size; j++)
                {
                    row[j] = source[(((o * size) + j) * inner) + n];
                }

                var order = Order(row, descending);
                for (var j = 0; j < keep; j++)
                {
                    var target = (((o * keep) + j) * inner) + n;
                    outIndices[target] = order[j];
                    outValues[target] = row[order[j]];
                    if (longs is not null)
                    {
                        outLongs[target] = longs[(((o * size) + order[j]) * inner) + n];
                    }
                }
            }
        }

        if (integral)
        {
            RefTensor.Write(values, outLongs);
        }
        else
        {
            RefTensor.Write(values, outValues);
        }

        RefTensor.Write(indices, outIndices);
    }

    private sealed class NaNLargest : IComparer<double>
    {
        public static readonly NaNLargest Instance = new();

        public int Compare(double x, double y) => (double.IsNaN(x), double.IsNaN(y)) switch
        {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => -1,
            _ => x.CompareTo(y),
        };
    }
}
