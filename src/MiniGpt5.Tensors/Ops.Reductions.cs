using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Reductions. Float sums accumulate in float32 or better; integer and bool sums give int64 (as in PyTorch).
public static partial class Ops
{
    /// <summary>Sum of all elements (0-dim result).</summary>
    public static Tensor Sum(Tensor x) => Reduce(OpKind.Sum, x, null, false, 0);

    /// <summary>Sum over <paramref name="dims"/>.</summary>
    public static Tensor Sum(Tensor x, ReadOnlySpan<int> dims, bool keepDim = false) => Reduce(OpKind.Sum, x, dims.ToArray(), keepDim, 0);

    /// <summary>Sum over one dim.</summary>
    public static Tensor Sum(Tensor x, int dim, bool keepDim = false) => Reduce(OpKind.Sum, x, [dim], keepDim, 0);

    /// <summary>Mean of all elements (float dtypes).</summary>
    public static Tensor Mean(Tensor x) => Reduce(OpKind.Mean, x, null, false, 0);

    /// <summary>Mean over <paramref name="dims"/>.</summary>
    public static Tensor Mean(Tensor x, ReadOnlySpan<int> dims, bool keepDim = false) => Reduce(OpKind.Mean, x, dims.ToArray(), keepDim, 0);

    /// <summary>Mean over one dim.</summary>
    public static Tensor Mean(Tensor x, int dim, bool keepDim = false) => Reduce(OpKind.Mean, x, [dim], keepDim, 0);

    /// <summary>torch.amax over <paramref name="dims"/> (all dims when empty); NaN propagates.</summary>
    public static Tensor Amax(Tensor x, ReadOnlySpan<int> dims, bool keepDim = false) => Reduce(OpKind.Amax, x, dims.ToArray(), keepDim, 0);

    /// <summary>torch.amax over one dim.</summary>
    public static Tensor Amax(Tensor x, int dim, bool keepDim = false) => Reduce(OpKind.Amax, x, [dim], keepDim, 0);

    /// <summary>torch.amin over <paramref name="dims"/> (all dims when empty).</summary>
    public static Tensor Amin(Tensor x, ReadOnlySpan<int> dims, bool keepDim = false) => Reduce(OpKind.Amin, x, dims.ToArray(), keepDim, 0);

    /// <summary>torch.amin over one dim.</summary>
    public static Tensor Amin(Tensor x, int dim, bool keepDim = false) => Reduce(OpKind.Amin, x, [dim], keepDim, 0);

    /// <summary>Largest element (0-dim).</summary>
    public static Tensor Max(Tensor x) => Reduce(OpKind.Amax, x, null, false, 0);

    /// <summary>Smallest element (0-dim).</summary>
    public static Tensor Min(Tensor x) => Reduce(OpKind.Amin, x, null, false, 0);

    /// <summary>torch.argmax: int64 index of the first largest element along <paramref name="dim"/>, or in the
    /// flattened tensor when dim is null. NaN counts as the largest.</summary>
    public static Tensor Argmax(Tensor x, int? dim = null, bool keepDim = false) =>
        Reduce(OpKind.Argmax, x, dim is { } d ? [d] : null, keepDim, 0);

    /// <summary>torch.argmin: int64 index of the first smallest element.</summary>
    public static Tensor Argmin(Tensor x, int? dim = null, bool keepDim = false) =>
        Reduce(OpKind.Argmin, x, dim is { } d ? [d] : null, keepDim, 0);

    /// <summary>torch.var with a correction (1 = unbiased, the PyTorch default; 0 = population).</summary>
    public static Tensor Var(Tensor x, ReadOnlySpan<int> dims, int correction = 1, bool keepDim = false) =>
        Reduce(OpKind.Var, x, dims.ToArray(), keepDim, correction);

    /// <summary>torch.var over one dim.</summary>
    public static Tensor Var(Tensor x, int dim, int correction = 1, bool keepDim = false) => Reduce(OpKind.Var, x, [dim], keepDim, correction);

    /// <summary>torch.cumsum along <paramref name="dim"/> (integers and bool give int64).</summary>
    public static Tensor Cumsum(Tensor x, int dim)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckComputeDType(x, nameof(Cumsum));
        var d = x.Rank == 0 ? 0 : ShapeMath.NormalizeDim(dim, x.Rank, nameof(Cumsum), x.Shape);
        var dtype = x.DType.IsFloatingPoint() ? x.DType : DType.Int64;
        var result = Tensor.Empty(x.Shape, dtype, x.Device);
        if (x.Rank == 0)
        {
            return Run(OpKind.Copy, [x], result, OpAttributes.None, null);
        }

        return Run(OpKind.Cumsum, [x], result, new DimAttributes(d), null);
    }

    private static Tensor Reduce(OpKind kind, Tensor x, int[]? dims, bool keepDim, int correction)
    {
        ArgumentNullException.ThrowIfNull(x);
        var op = kind.ToString();
        CheckComputeDType(x, op);
        if (kind is OpKind.Mean or OpKind.Var && !x.DType.IsFloatingPoint())
        {
            throw new TensorDTypeException($"{op}: needs a float tensor, got {x.Describe()}; convert with To(DType.Float32).");
        }

        var reduced = new bool[x.Rank];
        if (dims is null || dims.Length == 0)
        {
            Array.Fill(reduced, true);
        }
        else
        {
            foreach (var dim in dims)
            {
                var d = ShapeMath.NormalizeDim(dim, x.Rank, op, x.Shape);
                if (reduced[d])
                {
                    throw new TensorShapeException($"{op}: dim {d} appears twice in [{string.Join(", ", dims)}].");
                }

                reduced[d] = true;
            }
        }

        var normalized = Enumerable.Range(0, x.Rank).Where(d => reduced[d]).ToArray();
        foreach (var d in normalized)
        {
            if (x.Shape[d] == 0 && kind is not (OpKind.Sum or OpKind.Mean or OpKind.Var))
            {
                throw new TensorShapeException($"{op}: cannot reduce over the empty dim {d} of {ShapeMath.Format(x.Shape)}.");
            }
        }

        var shape = new List<int>(x.Rank);
        for (var d = 0; d < x.Rank; d++)
        {
            if (!reduced[d])
            {
                shape.Add(x.Shape[d]);
            }
            else if (keepDim)
            {
                shape.Add(1);
            }
        }

        var dtype = kind switch
        {
            OpKind.Argmax or OpKind.Argmin => DType.Int64,
            OpKind.Sum when !x.DType.IsFloatingPoint() => DType.Int64,
            _ => x.DType,
        };
        var result = Tensor.Empty(shape.ToArray(), dtype, x.Device);
        return Run(kind, [x], result, new ReduceAttributes(normalized, keepDim, correction), null);
    }

    private static void CheckComputeDType(Tensor x, string op)
    {
        if (x.DType is DType.Float64 or DType.UInt8 or DType.Int8 or DType.Int16)
        {
            throw new TensorDTypeException($"{op}: {x.DType.TorchName()} is a storage-only dtype; convert {x.Describe()} with To() first.");
        }
    }
}
