using MiniGpt5.Tensors;

namespace MiniGpt5.Training.Autograd.Formulas;

/// <summary>Shape plumbing shared by the backward formulas.</summary>
internal static class GradMath
{
    /// <summary>
    /// Sums a gradient of a broadcast result back to the shape of the operand that was broadcast: over the leading
    /// dims the operand lacked and over the dims where it had size 1.
    /// </summary>
    public static Tensor ReduceToShape(Tensor gradient, ReadOnlySpan<int> shape)
    {
        if (gradient.Shape.SequenceEqual(shape))
        {
            return gradient.Alias();
        }

        var lead = gradient.Rank - shape.Length;
        if (lead < 0)
        {
            throw new InvalidOperationException(
                $"Autograd: a gradient of shape [{string.Join(", ", gradient.ShapeArray())}] cannot be reduced to the larger-rank shape [{string.Join(", ", shape.ToArray())}].");
        }

        var dims = new List<int>();
        for (var i = 0; i < gradient.Rank; i++)
        {
            if (i < lead || (shape[i - lead] == 1 && gradient.Shape[i] != 1))
            {
                dims.Add(i);
            }
        }

        if (dims.Count == 0)
        {
            return gradient.Reshape(shape);
        }

        using var summed = Sum(gradient, dims.ToArray());
        return summed.Reshape(shape);
    }

    /// <summary>
    /// Σ over <paramref name="dims"/> (result without those dims), always through fast contiguous kernels: a reduced
    /// run of trailing dims is a last-dim sum; a reduced run in the middle of [A, R, K] is ones[1, R]·x (a GEMM).
    /// The engine's general reduction is slow when the reduced dims are not innermost (leading-dim sums, the
    /// channel sums of norm and bias gradients), and backward formulas need those everywhere.
    /// </summary>
    public static Tensor Sum(Tensor x, int[] dims)
    {
        if (dims.Length == 0)
        {
            return x.Alias();
        }

        var reduced = new bool[x.Rank];
        foreach (var d in dims)
        {
            reduced[d < 0 ? d + x.Rank : d] = true;
        }

        // Runs of consecutive dims that are all reduced or all kept: [(size, reduced)].
        var runs = new List<(long Size, bool Reduced)>();
        for (var d = 0; d < x.Rank; d++)
        {
            if (runs.Count > 0 && runs[^1].Reduced == reduced[d])
            {
                runs[^1] = (runs[^1].Size * x.Shape[d], reduced[d]);
            }
            else
            {
                runs.Add((x.Shape[d], reduced[d]));
            }
        }

        var keptShape = Enumerable.Range(0, x.Rank).Where(d => !reduced[d]).Select(d => x.Shape[d]).ToArray();
        var current = x.Contiguous();
        try
        {
            // From the innermost run outwards; after each step everything right of the cursor is one kept dim.
            long right = 1;
            for (var i = runs.Count - 1; i >= 0; i--)
            {
                var (size, isReduced) = runs[i];
                var left = 1L;
                for (var j = 0; j < i; j++)
                {
                    left *= runs[j].Size;
                }

                if (!isReduced)
                {
                    right *= size;
                    continue;
                }

                Tensor next;
                if (right == 1)
                {
                    using var rows = current.Reshape(checked((int)left), checked((int)size));
                    next = Ops.Sum(rows, 1);
                }
                else
                {
                    using var block = current.Reshape(checked((int)left), checked((int)size), checked((int)right));
                    using var ones = Tensor.Ones([1, checked((int)size)], current.DType, current.Device);
                    using var product = Ops.Matmul(ones, block);
                    next = product.Reshape(checked((int)(left * right)));
                }

                current.Dispose();
                current = next;
            }

            return current.Reshape(keptShape);
        }
        finally
        {
            current.Dispose();
        }
    }

    /// <summary>Reshapes the gradient of a reduction to keep-dim form and broadcasts it to the input shape (a view).</summary>
    public static Tensor ExpandReduced(Tensor gradient, ReadOnlySpan<int> inputShape, int[] dims, bool keepDim)
    {
        var keep = KeepDimShape(inputShape, dims);
        var kept = keepDim ? gradient.Alias() : gradient.Reshape(keep);
        return kept.Expand(inputShape);
    }

    /// <summary>The shape of a reduction over <paramref name="dims"/> with keepdim=True.</summary>
    public static int[] KeepDimShape(ReadOnlySpan<int> inputShape, int[] dims)
    {
        var keep = inputShape.ToArray();
        foreach (var d in dims)
        {
            keep[d] = 1;
        }

        return keep;
    }

    /// <summary>The tensor in float32 (an alias when it already is).</summary>
    public static Tensor Float(Tensor tensor) => tensor.DType == DType.Float32 ? tensor.Alias() : tensor.To(DType.Float32);

    /// <summary>Zeros (float32) of a shape on a device.</summary>
    public static Tensor Zeros(ReadOnlySpan<int> shape, Device device) => Tensor.Zeros(shape, DType.Float32, device);

    /// <summary>A float32 zero tensor with <paramref name="gradient"/> written into the slice that a view selected.</summary>
    public static Tensor ScatterIntoZeros(ReadOnlySpan<int> shape, Device device, Tensor gradient, Func<Tensor, Tensor> view)
    {
        var zeros = Zeros(shape, device);
        using var target = view(zeros);
        Ops.CopyInto(target, gradient);
        return zeros;
    }

    /// <summary>Product of a shape's sizes over some dims.</summary>
    public static long Count(ReadOnlySpan<int> shape, int[] dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            count *= shape[d];
        }

        return count;
    }

    /// <summary>Every dim except <paramref name="keep"/>.</summary>
    public static int[] AllDimsExcept(int rank, params int[] keep) =>
        Enumerable.Range(0, rank).Where(d => !keep.Contains(d)).ToArray();

    /// <summary>The leading dims of a rank-<paramref name="rank"/> tensor before its last <paramref name="trailing"/>.</summary>
    public static int[] LeadingDims(int rank, int trailing) => Enumerable.Range(0, rank - trailing).ToArray();

    /// <summary><see cref="Sum"/> with the reduced dims kept as size 1.</summary>
    public static Tensor SumKeepDim(Tensor x, int[] dims)
    {
        var normalized = dims.Select(d => d < 0 ? d + x.Rank : d).ToArray();
        using var summed = Sum(x, normalized);
        return summed.Reshape(KeepDimShape(x.Shape, normalized));
    }

    /// <summary>Sums over <paramref name="dims"/> (an alias when there are none).</summary>
    public static Tensor SumOver(Tensor tensor, int[] dims) => Sum(tensor, dims);
}
