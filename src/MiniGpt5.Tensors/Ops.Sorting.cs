using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Sorting and sampling, for top-k / top-p decoding.
public static partial class Ops
{
    /// <summary>torch.topk: the k largest (or smallest) values along <paramref name="dim"/> and their int64 indices,
    /// sorted best first. Ties keep their original order.</summary>
    public static (Tensor Values, Tensor Indices) TopK(Tensor x, int k, int dim = -1, bool largest = true, bool sorted = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckComputeDType(x, nameof(TopK));
        var d = ShapeMath.NormalizeDim(dim, Math.Max(x.Rank, 1), nameof(TopK), x.Shape);
        var size = x.Rank == 0 ? 1 : x.Shape[d];
        if (k < 0 || k > size)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"TopK: k must be in 0..{size} for dim {d} of {ShapeMath.Format(x.Shape)}.");
        }

        using var row = x.Rank == 0 ? x.Reshape(1) : x.Alias();
        var shape = row.ShapeArray();
        shape[d] = k;
        return SortLike(OpKind.TopK, row, shape, new TopKAttributes(k, d, largest, sorted), x.Rank == 0);
    }

    /// <summary>torch.sort (stable): values along <paramref name="dim"/> in order and their int64 indices. NaN sorts
    /// as the largest value.</summary>
    public static (Tensor Values, Tensor Indices) Sort(Tensor x, int dim = -1, bool descending = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckComputeDType(x, nameof(Sort));
        var d = ShapeMath.NormalizeDim(dim, Math.Max(x.Rank, 1), nameof(Sort), x.Shape);
        using var row = x.Rank == 0 ? x.Reshape(1) : x.Alias();
        return SortLike(OpKind.Sort, row, row.Shape, new SortAttributes(d, descending), x.Rank == 0);
    }

    /// <summary>torch.multinomial: <paramref name="numSamples"/> int64 indices per row of non-negative weights
    /// [n] or [rows, n] (need not sum to 1), drawn from <paramref name="generator"/>.</summary>
    public static Tensor Multinomial(Tensor probabilities, int numSamples, Generator generator, bool replacement = false)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(generator);
        RequireFloat(probabilities, nameof(Multinomial), nameof(probabilities));
        if (probabilities.Rank is not (1 or 2) || probabilities.Shape[^1] == 0)
        {
            throw new TensorShapeException($"Multinomial: probabilities must be [n] or [rows, n] with n > 0, got {ShapeMath.Format(probabilities.Shape)}.");
        }

        if (numSamples <= 0 || (!replacement && numSamples > probabilities.Shape[^1]))
        {
            throw new ArgumentOutOfRangeException(
                nameof(numSamples), numSamples, $"Multinomial: cannot draw {numSamples} samples {(replacement ? "with" : "without")} replacement from {probabilities.Shape[^1]} categories.");
        }

        int[] shape = probabilities.Rank == 1 ? [numSamples] : [probabilities.Shape[0], numSamples];
        var result = Tensor.Empty(shape, DType.Int64, probabilities.Device);
        return Run(OpKind.Multinomial, [probabilities], result, new MultinomialAttributes(numSamples, replacement, generator), null);
    }

    private static (Tensor Values, Tensor Indices) SortLike(OpKind kind, Tensor x, ReadOnlySpan<int> shape, OpAttributes attributes, bool scalar)
    {
        var values = Tensor.Empty(shape, x.DType, x.Device);
        var indices = Tensor.Empty(shape, DType.Int64, x.Device);
        try
        {
            Dispatcher.Execute(kind, [x], [values, indices], attributes);
        }
        catch
        {
            values.Dispose();
            indices.Dispose();
            throw;
        }

        if (!scalar)
        {
            return (values, indices);
        }

        using (values)
        using (indices)
        {
            return (values.Reshape([]), indices.Reshape([]));
        }
    }
}
