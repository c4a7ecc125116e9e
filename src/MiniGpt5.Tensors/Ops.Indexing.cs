using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Lookups, joins and splits, and nearest-neighbour resizing.
public static partial class Ops
{
    /// <summary>F.embedding: rows of <paramref name="weight"/> [V, D] picked by <paramref name="ids"/> (int32/int64, any
    /// shape); output [..ids shape, D] in the weight's dtype. Out-of-range ids throw, naming the id.</summary>
    public static Tensor Embedding(Tensor ids, Tensor weight, Tensor? output = null)
    {
        RequireIndex(ids, nameof(Embedding), nameof(ids));
        ArgumentNullException.ThrowIfNull(weight);
        RequireRank(weight, 2, nameof(Embedding), nameof(weight), "[num_embeddings, embedding_dim]");
        var result = Prepare(output, [.. ids.Shape, weight.Shape[1]], weight.DType, weight.Device, nameof(Embedding));
        return Run(OpKind.Embedding, [ids, weight], result, OpAttributes.None, output);
    }

    /// <summary>torch.index_select: entries <paramref name="index"/> (1-D int32/int64) along <paramref name="dim"/>.</summary>
    public static Tensor IndexSelect(Tensor x, int dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireIndex(index, nameof(IndexSelect), nameof(index));
        if (index.Rank > 1)
        {
            throw new TensorShapeException($"IndexSelect: index must be 1-D, got {ShapeMath.Format(index.Shape)}.");
        }

        var d = ShapeMath.NormalizeDim(dim, x.Rank, nameof(IndexSelect), x.Shape);
        var shape = x.ShapeArray();
        shape[d] = (int)index.NumElements;
        var result = Tensor.Empty(shape, x.DType, x.Device);
        return Run(OpKind.IndexSelect, [x, index], result, new DimAttributes(d), null);
    }

    /// <summary>torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] (for dim 1); the output has index's shape.</summary>
    public static Tensor Gather(Tensor x, int dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireIndex(index, nameof(Gather), nameof(index));
        var d = ShapeMath.NormalizeDim(dim, x.Rank, nameof(Gather), x.Shape);
        if (index.Rank != x.Rank)
        {
            throw new TensorShapeException($"Gather: index {ShapeMath.Format(index.Shape)} must have the rank of x {ShapeMath.Format(x.Shape)}.");
        }

        for (var i = 0; i < x.Rank; i++)
        {
            if (i != d && index.Shape[i] > x.Shape[i])
            {
                throw new TensorShapeException(
                    $"Gather: index {ShapeMath.Format(index.Shape)} is larger than x {ShapeMath.Format(x.Shape)} in dim {i}.");
            }
        }

        var result = Tensor.Empty(index.Shape, x.DType, x.Device);
        return Run(OpKind.Gather, [x, index], result, new DimAttributes(d), null);
    }

    /// <summary>torch.scatter (out of place): a copy of x with src[p] written at x[p with dim replaced by index[p]]
    /// for every position p of index (index and src have the same rank as x; src at least index's size).</summary>
    public static Tensor Scatter(Tensor x, int dim, Tensor index, Tensor src) => ScatterLike(OpKind.Scatter, x, dim, index, src);

    /// <summary>torch.scatter_add (out of place): like <see cref="Scatter"/> but adds, so duplicate indices
    /// accumulate (the backward of embedding and gather).</summary>
    public static Tensor ScatterAdd(Tensor x, int dim, Tensor index, Tensor src) => ScatterLike(OpKind.ScatterAdd, x, dim, index, src);

    /// <summary>torch.cat: joins tensors along <paramref name="dim"/> (dtypes promoted; all other sizes equal).</summary>
    public static Tensor Cat(ReadOnlySpan<Tensor> tensors, int dim = 0, Tensor? output = null)
    {
        if (tensors.Length == 0)
        {
            throw new ArgumentException("Cat: at least one tensor is needed.", nameof(tensors));
        }

        var first = tensors[0];
        ArgumentNullException.ThrowIfNull(first);
        var d = ShapeMath.NormalizeDim(dim, first.Rank, nameof(Cat), first.Shape);
        var shape = first.ShapeArray();
        var dtype = first.DType;
        var total = 0;
        foreach (var tensor in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            if (tensor.Rank != first.Rank)
            {
                throw new TensorShapeException($"Cat: tensors {ShapeMath.Format(first.Shape)} and {ShapeMath.Format(tensor.Shape)} differ in rank.");
            }

            for (var i = 0; i < first.Rank; i++)
            {
                if (i != d && tensor.Shape[i] != first.Shape[i])
                {
                    throw new TensorShapeException(
                        $"Cat: sizes must match except in dim {d}, but {ShapeMath.Format(first.Shape)} and {ShapeMath.Format(tensor.Shape)} differ in dim {i}.");
                }
            }

            total += tensor.Shape[d];
            dtype = DTypePromotion.ResultType(dtype, tensor.DType);
        }

        shape[d] = total;
        var result = Prepare(output, shape, dtype, first.Device, nameof(Cat));
        return Run(OpKind.Cat, tensors, result, new DimAttributes(d), output);
    }

    private static Tensor ScatterLike(OpKind kind, Tensor x, int dim, Tensor index, Tensor src)
    {
        var op = kind.ToString();
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(src);
        RequireIndex(index, op, nameof(index));
        var d = ShapeMath.NormalizeDim(dim, x.Rank, op, x.Shape);
        if (index.Rank != x.Rank || src.Rank != x.Rank)
        {
            throw new TensorShapeException(
                $"{op}: x {ShapeMath.Format(x.Shape)}, index {ShapeMath.Format(index.Shape)} and src {ShapeMath.Format(src.Shape)} must have the same rank.");
        }

        for (var i = 0; i < x.Rank; i++)
        {
            if (index.Shape[i] > src.Shape[i] || (i != d && index.Shape[i] > x.Shape[i]))
            {
                throw new TensorShapeException(
                    $"{op}: index {ShapeMath.Format(index.Shape)} must fit in src {ShapeMath.Format(src.Shape)} and, outside dim {d}, in x {ShapeMath.Format(x.Shape)}.");
            }
        }

        var result = Tensor.Empty(x.Shape, DTypePromotion.ResultType(x.DType, src.DType) == x.DType ? x.DType : throw new TensorDTypeException(
            $"{op}: src {src.Describe()} cannot be stored into x {x.Describe()} without changing its dtype."), x.Device);
        return Run(kind, [x, index, src], result, new DimAttributes(d), null);
    }

    /// <summary>torch.stack: joins tensors of equal shape along a new dim.</summary>
    public static Tensor Stack(ReadOnlySpan<Tensor> tensors, int dim = 0)
    {
        if (tensors.Length == 0)
        {
            throw new ArgumentException("Stack: at least one tensor is needed.", nameof(tensors));
        }

        var expanded = new Tensor[tensors.Length];
        try
        {
            for (var i = 0; i < tensors.Length; i++)
            {
                if (!tensors[i].Shape.SequenceEqual(tensors[0].Shape))
                {
                    throw new TensorShapeException(
                        $"Stack: all tensors need one shape, but {ShapeMath.Format(tensors[0].Shape)} and {ShapeMath.Format(tensors[i].Shape)} differ.");
                }

                expanded[i] = tensors[i].Unsqueeze(dim);
            }

            return Cat(expanded, dim);
        }
        finally
        {
            foreach (var tensor in expanded)
            {
                tensor?.Dispose();
            }
        }
    }

    /// <summary>torch.split with a chunk size: views of <paramref name="splitSize"/> along dim (the last may be smaller).</summary>
    public static Tensor[] Split(Tensor x, int splitSize, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        var d = ShapeMath.NormalizeDim(dim, x.Rank, nameof(Split), x.Shape);
        if (splitSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(splitSize), splitSize, "Split: the split size must be positive.");
        }

        var size = x.Shape[d];
        var count = Math.Max(1, (size + splitSize - 1) / splitSize);
        var parts = new Tensor[count];
        for (var i = 0; i < count; i++)
        {
            var start = i * splitSize;
            parts[i] = x.Narrow(d, start, Math.Min(splitSize, size - start));
        }

        return parts;
    }

    /// <summary>torch.split with explicit sizes (which must add up to the dim's size): views.</summary>
    public static Tensor[] Split(Tensor x, ReadOnlySpan<int> sizes, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        var d = ShapeMath.NormalizeDim(dim, x.Rank, nameof(Split), x.Shape);
        var total = 0;
        foreach (var size in sizes)
        {
            total += size;
        }

        if (total != x.Shape[d])
        {
            throw new TensorShapeException($"Split: sizes [{string.Join(", ", sizes.ToArray())}] do not add up to dim {d} of {ShapeMath.Format(x.Shape)}.");
        }

        var parts = new Tensor[sizes.Length];
        var start = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            parts[i] = x.Narrow(d, start, sizes[i]);
            start += sizes[i];
        }

        return parts;
    }

    /// <summary>torch.chunk: up to <paramref name="chunks"/> views of ceil(size/chunks) along dim.</summary>
    public static Tensor[] Chunk(Tensor x, int chunks, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (chunks <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "Chunk: the number of chunks must be positive.");
        }

        var d = ShapeMath.NormalizeDim(dim, x.Rank, nameof(Chunk), x.Shape);
        var size = x.Shape[d];
        return Split(x, Math.Max(1, (size + chunks - 1) / chunks), d);
    }

    /// <summary>F.interpolate(mode="nearest", scale_factor=...) on the last two dims of x [N, C, H, W]; the output size
    /// is floor(size·factor).</summary>
    public static Tensor InterpolateNearest(Tensor x, double scaleFactor)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireRank(x, 4, nameof(InterpolateNearest), nameof(x), "[N, C, H, W]");
        if (!(scaleFactor > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleFactor), scaleFactor, "InterpolateNearest: the scale factor must be positive.");
        }

        var ho = (int)Math.Floor(x.Shape[2] * scaleFactor);
        var wo = (int)Math.Floor(x.Shape[3] * scaleFactor);
        return Interpolate(x, ho, wo, new InterpolateAttributes(scaleFactor, scaleFactor));
    }

    /// <summary>F.interpolate(mode="nearest", size=(height, width)).</summary>
    public static Tensor InterpolateNearest(Tensor x, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireRank(x, 4, nameof(InterpolateNearest), nameof(x), "[N, C, H, W]");
        return Interpolate(x, height, width, new InterpolateAttributes(null, null));
    }

    private static Tensor Interpolate(Tensor x, int height, int width, InterpolateAttributes attributes)
    {
        if (height <= 0 || width <= 0)
        {
            throw new TensorShapeException($"InterpolateNearest: output size {height}x{width} for input {ShapeMath.Format(x.Shape)} is empty.");
        }

        var result = Tensor.Empty([x.Shape[0], x.Shape[1], height, width], x.DType, x.Device);
        return Run(OpKind.InterpolateNearest, [x], result, attributes, null);
    }
}
