using System.Runtime.CompilerServices;
using MiniGpt5.Tensors.Cuda.Kernels;

namespace MiniGpt5.Tensors.Cuda.Tests.Kernels;

public sealed class ElementwiseLayoutTests
{
    [Fact]
    public void Contiguous_operands_fold_to_one_flat_dimension()
    {
        var layout = ElementwiseLayout.Fold([2, 3, 4], [[12, 4, 1], [12, 4, 1]]);

        Assert.Equal([24L], layout.Sizes);
        Assert.True(layout.IsFlatContiguous);
        Assert.Equal(24, layout.Count);
    }

    [Fact]
    public void A_bias_broadcast_folds_to_two_dimensions()
    {
        // [B=2, T=3, C=4] + [C]: the bias has stride 0 on B and T.
        var layout = ElementwiseLayout.Fold([2, 3, 4], [[12, 4, 1], [12, 4, 1], [0, 0, 1]]);

        Assert.Equal([6L, 4], layout.Sizes);
        Assert.Equal([4L, 1], layout.Strides[0]);
        Assert.Equal([0L, 1], layout.Strides[2]);
        Assert.False(layout.IsFlatContiguous);
    }

    [Fact]
    public void Size_one_dimensions_are_dropped_and_a_scalar_is_one_element()
    {
        var layout = ElementwiseLayout.Fold([1, 5, 1], [[5, 1, 1], [0, 0, 0]]);
        Assert.Equal([5L], layout.Sizes);
        Assert.Equal([0L], layout.Strides[1]);

        var scalar = ElementwiseLayout.Fold([1, 1], [[1, 1]]);
        Assert.Equal([1L], scalar.Sizes);
        Assert.Equal(1, scalar.Count);

        var rank0 = ElementwiseLayout.Fold([], [[]]);
        Assert.Equal(1, rank0.Count);
        Assert.Equal(1, rank0.ToNative("Add").Rank);
    }

    [Fact]
    public void A_transposed_operand_keeps_its_dimensions()
    {
        // x [3, 4] contiguous into out = x.T viewed as [4, 3] (strides 1, 4).
        var layout = ElementwiseLayout.Fold([4, 3], [[3, 1], [1, 4]]);

        Assert.Equal([4L, 3], layout.Sizes);
        Assert.Equal([1L, 4], layout.Strides[1]);
    }

    [Fact]
    public void Folding_preserves_every_offset()
    {
        var random = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            var rank = random.Next(0, 6);
            var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, 4)).ToArray();
            var contiguous = ContiguousStrides(shape);
            var broadcast = shape.Select((s, i) => random.Next(3) == 0 ? 0L : contiguous[i]).ToArray();
            var permuted = contiguous.Reverse().ToArray();
            var operands = new List<long[]> { contiguous, broadcast, permuted };
            var layout = ElementwiseLayout.Fold(shape, operands);

            var count = shape.Aggregate(1L, (a, b) => a * b);
            Assert.Equal(count, layout.Count);
            for (long i = 0; i < count; i++)
            {
                for (var o = 0; o < operands.Count; o++)
                {
                    Assert.Equal(Offset(shape.Select(s => (long)s).ToArray(), operands[o], i), Offset([.. layout.Sizes], layout.Strides[o], i));
                }
            }
        }
    }

    [Fact]
    public void The_native_struct_matches_the_kernel_layout_and_too_many_dims_are_a_typed_error()
    {
        Assert.Equal(248, Unsafe.SizeOf<ElementwiseLayout.Native>());
        var layout = ElementwiseLayout.Fold([2, 3], [[3, 1], [0, 1]]);
        var native = layout.ToNative("Add");
        Assert.Equal(2, native.Rank);
        Assert.Equal(2, native.Size[0]);
        Assert.Equal(3, native.Size[1]);
        Assert.Equal(1, native.Stride[(1 * ElementwiseLayout.MaxDims) + 1]);
        Assert.Equal(0, native.Stride[(1 * ElementwiseLayout.MaxDims) + 0]);

        // Seven dimensions that cannot merge: every operand steps them non-contiguously.
        int[] shape = [2, 2, 2, 2, 2, 2, 2];
        long[] strides = [1000000, 100000, 10000, 1000, 100, 10, 1];
        var error = Assert.Throws<CudaOpNotSupportedException>(() => ElementwiseLayout.Fold(shape, [strides]).ToNative("Mul"));
        Assert.Contains("Mul", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mismatched_ranks_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ElementwiseLayout.Fold([2, 3], [[3, 1], [1]]));
        Assert.Throws<ArgumentException>(() => ElementwiseLayout.Fold([2], [[1], [1], [1], [1], [1]]));
    }

    private static long[] ContiguousStrides(int[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }

        return strides;
    }

    private static long Offset(long[] sizes, long[] strides, long linear)
    {
        long offset = 0;
        for (var d = sizes.Length - 1; d >= 0; d--)
        {
            offset += linear % sizes[d] * strides[d];
            linear /= sizes[d];
        }

        return offset;
    }
}
