using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors.Cuda.Kernels;

/// <summary>
/// The iteration space of an elementwise kernel: the output shape and, per operand (output first), its strides in
/// elements, with broadcast dimensions at stride 0. <see cref="Fold"/> drops size-1 dimensions and merges
/// neighbours that every operand walks contiguously, so a contiguous op becomes one flat loop and a typical
/// broadcast ([B,T,C] + [C]) needs two dimensions, keeping the per-element index arithmetic short.
/// </summary>
internal sealed class ElementwiseLayout
{
    /// <summary>Most dimensions the kernels take (MAX_DIMS in common.cuh).</summary>
    public const int MaxDims = 6;

    /// <summary>Most operands (MAX_OPERANDS in common.cuh): the output and three inputs.</summary>
    public const int MaxOperands = 4;

    private ElementwiseLayout(long[] sizes, long[][] strides)
    {
        Sizes = sizes;
        Strides = strides;
    }

    /// <summary>Folded sizes, outermost first.</summary>
    public IReadOnlyList<long> Sizes { get; }

    /// <summary>Folded strides per operand.</summary>
    public IReadOnlyList<long[]> Strides { get; }

    /// <summary>Number of folded dimensions.</summary>
    public int Rank => Sizes.Count;

    /// <summary>Elements in the iteration space.</summary>
    public long Count
    {
        get
        {
            long count = 1;
            foreach (var size in Sizes)
            {
                count *= size;
            }

            return count;
        }
    }

    /// <summary>Whether every operand is walked with stride 1 over one dimension (the fast flat case).</summary>
    public bool IsFlatContiguous => Rank <= 1 && Strides.All(s => s.Length == 0 || s[0] == 1);

    /// <summary>Folds <paramref name="shape"/> with each operand's <paramref name="operandStrides"/> (already broadcast
    /// to <paramref name="shape"/>, zero on broadcast dimensions).</summary>
    /// <exception cref="ArgumentException">An operand's strides do not match the shape's rank, or there are too many operands.</exception>
    public static ElementwiseLayout Fold(ReadOnlySpan<int> shape, IReadOnlyList<long[]> operandStrides)
    {
        ArgumentNullException.ThrowIfNull(operandStrides);
        if (operandStrides.Count is 0 or > MaxOperands)
        {
            throw new ArgumentException($"An elementwise layout takes 1 to {MaxOperands} operands, got {operandStrides.Count}.", nameof(operandStrides));
        }

        foreach (var s in operandStrides)
        {
            if (s.Length != shape.Length)
            {
                throw new ArgumentException($"Operand strides [{string.Join(", ", s)}] do not match the rank of shape [{string.Join(", ", shape.ToArray())}].", nameof(operandStrides));
            }
        }

        var sizes = new List<long>();
        var strides = operandStrides.Select(_ => new List<long>()).ToArray();
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1)
            {
                continue;
            }

            // Merge into the previous kept dimension when, for every operand, stepping the previous dimension
            // once equals stepping this one over its whole extent.
            var merge = sizes.Count > 0;
            for (var o = 0; merge && o < strides.Length; o++)
            {
                merge = strides[o][^1] == operandStrides[o][d] * shape[d];
            }

            if (merge)
            {
                sizes[^1] *= shape[d];
                for (var o = 0; o < strides.Length; o++)
                {
                    strides[o][^1] = operandStrides[o][d];
                }
            }
            else
            {
                sizes.Add(shape[d]);
                for (var o = 0; o < strides.Length; o++)
                {
                    strides[o].Add(operandStrides[o][d]);
                }
            }
        }

        if (shape.Length > 0 && sizes.Count == 0)
        {
            // All dimensions were 1: one element.
            sizes.Add(1);
            foreach (var s in strides)
            {
                s.Add(1);
            }
        }

        return new ElementwiseLayout([.. sizes], [.. strides.Select(s => s.ToArray())]);
    }

    /// <summary>The layout as the kernels' <c>Layout</c> struct.</summary>
    /// <exception cref="CudaOpNotSupportedException">More than <see cref="MaxDims"/> dimensions remain after folding.</exception>
    public Native ToNative(string op)
    {
        if (Rank > MaxDims)
        {
            throw new CudaOpNotSupportedException(
                $"The CUDA backend does not implement {op} over {Rank} non-mergeable dimensions (at most {MaxDims}); make an operand contiguous first.");
        }

        var native = default(Native);
        native.Rank = Math.Max(Rank, 1);
        if (Rank == 0)
        {
            native.Size[0] = 1;
        }

        for (var d = 0; d < Rank; d++)
        {
            native.Size[d] = Sizes[d];
            for (var o = 0; o < Strides.Count; o++)
            {
                native.Stride[(o * MaxDims) + d] = Strides[o][d];
            }
        }

        return native;
    }

    /// <summary>The kernels' <c>struct Layout</c>: int rank, int pad, i64 size[6], i64 stride[4][6] (248 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Native
    {
        public int Rank;
        public int Pad;
        public Sizes6 Size;
        public Strides24 Stride;
    }

    [InlineArray(MaxDims)]
    internal struct Sizes6
    {
        private long _element;
    }

    [InlineArray(MaxDims * MaxOperands)]
    internal struct Strides24
    {
        private long _element;
    }
}
