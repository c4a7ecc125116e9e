using System.Text;

namespace MiniGpt5.Tensors.Internal;

/// <summary>Shape and stride arithmetic shared by views, ops and backends.</summary>
internal static class ShapeMath
{
    /// <summary>"[2, 3, 4]", the way shapes appear in every error message.</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var builder = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(shape[i]);
        }

        return builder.Append(']').ToString();
    }

    /// <summary>Product of the sizes; throws for negative sizes.</summary>
    public static long NumElements(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (var size in shape)
        {
            if (size < 0)
            {
                throw new TensorShapeException($"Shape {Format(shape)} has a negative size.");
            }

            count = checked(count * size);
        }

        return count;
    }

    /// <summary>Row-major strides (in elements) for a shape.</summary>
    public static long[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= Math.Max(shape[i], 1);
        }

        return strides;
    }

    /// <summary>True when the layout is row-major without gaps (size-1 dims may have any stride).</summary>
    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides)
    {
        long expected = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 0)
            {
                return true;
            }

            if (shape[i] != 1)
            {
                if (strides[i] != expected)
                {
                    return false;
                }

                expected *= shape[i];
            }
        }

        return true;
    }

    /// <summary>Turns a possibly negative dim into 0..rank-1 or throws naming the op and shape.</summary>
    public static int NormalizeDim(int dim, int rank, string op, ReadOnlySpan<int> shape)
    {
        var normalized = dim < 0 ? dim + rank : dim;
        if (normalized < 0 || normalized >= rank)
        {
            throw new TensorShapeException(
                $"{op}: dimension {dim} is out of range for a tensor of shape {Format(shape)} (rank {rank}).");
        }

        return normalized;
    }

    /// <summary>NumPy/PyTorch broadcasting of two shapes.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i - (rank - a.Length);
            var db = i - (rank - b.Length);
            var sa = da >= 0 ? a[da] : 1;
            var sb = db >= 0 ? b[db] : 1;
            if (sa != sb && sa != 1 && sb != 1)
            {
                throw new TensorShapeException(
                    $"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (size {sa} vs {sb} at dimension {i}).");
            }

            result[i] = sa == 1 ? sb : sa;
        }

        return result;
    }

    /// <summary>Strides that read a tensor of <paramref name="shape"/>/<paramref name="strides"/> as if expanded to
    /// <paramref name="target"/> (0 for broadcast dims). The shape must broadcast to the target.</summary>
    public static long[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, ReadOnlySpan<int> target, string op)
    {
        var result = new long[target.Length];
        var offset = target.Length - shape.Length;
        if (offset < 0)
        {
            throw new TensorShapeException($"{op}: shape {Format(shape)} cannot be broadcast to {Format(target)}.");
        }

        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == target[i + offset])
            {
                result[i + offset] = shape[i] == 1 ? 0 : strides[i];
            }
            else if (shape[i] == 1)
            {
                result[i + offset] = 0;
            }
            else
            {
                throw new TensorShapeException($"{op}: shape {Format(shape)} cannot be broadcast to {Format(target)}.");
            }
        }

        return result;
    }

    /// <summary>Resolves one -1 in a requested shape against an element count.</summary>
    public static int[] InferShape(ReadOnlySpan<int> requested, long numElements, ReadOnlySpan<int> from, string op)
    {
        var shape = requested.ToArray();
        var inferred = -1;
        long known = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0)
                {
                    throw new TensorShapeException($"{op}: shape {Format(requested)} has more than one -1.");
                }

                inferred = i;
            }
            else if (shape[i] < 0)
            {
                throw new TensorShapeException($"{op}: shape {Format(requested)} has a negative size.");
            }
            else
            {
                known = checked(known * shape[i]);
            }
        }

        if (inferred >= 0)
        {
            if (known == 0 || numElements % known != 0)
            {
                throw new TensorShapeException(
                    $"{op}: cannot reshape a tensor of shape {Format(from)} ({numElements} elements) into {Format(requested)}.");
            }

            shape[inferred] = checked((int)(numElements / known));
        }
        else if (known != numElements)
        {
            throw new TensorShapeException(
                $"{op}: cannot reshape a tensor of shape {Format(from)} ({numElements} elements) into {Format(requested)}.");
        }

        return shape;
    }

    /// <summary>
    /// Strides that let <paramref name="newShape"/> view the same memory as (oldShape, oldStrides) without a copy,
    /// or null when no such strides exist. This is PyTorch's <c>computeStride</c>: dims are grouped into chunks that
    /// are contiguous with respect to each other, and each chunk may be split or merged freely.
    /// </summary>
    public static long[]? ViewStrides(ReadOnlySpan<int> oldShape, ReadOnlySpan<long> oldStrides, ReadOnlySpan<int> newShape)
    {
        var newStrides = new long[newShape.Length];
        if (NumElements(oldShape) == 0)
        {
            return ContiguousStrides(newShape);
        }

        if (oldShape.Length == 0)
        {
            oldShape = [1];
            oldStrides = [1];
        }

        var viewD = newShape.Length - 1;
        var chunkBaseStride = oldStrides[^1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (var tensorD = oldShape.Length - 1; tensorD >= 0; tensorD--)
        {
            tensorNumel *= oldShape[tensorD];
            if (tensorD == 0 || (oldShape[tensorD - 1] != 1 && oldStrides[tensorD - 1] != tensorNumel * chunkBaseStride))
            {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1))
                {
                    newStrides[viewD] = viewNumel * chunkBaseStride;
                    viewNumel *= newShape[viewD];
                    viewD--;
                }

                if (viewNumel != tensorNumel)
                {
                    return null;
                }

                if (tensorD > 0)
                {
                    chunkBaseStride = oldStrides[tensorD - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }

        return viewD == -1 ? newStrides : null;
    }
}
