using MiniGpt5.Tensors;
using static MiniGpt5.Training.Tests.Autograd.GradCheck;

namespace MiniGpt5.Training.Tests.Autograd;

/// <summary>Finite-difference checks of lookups, joins, scatters, sorting and nearest upsampling.</summary>
public sealed class IndexingGradientTests
{
    [Fact]
    public void Embedding_gradient_adds_repeated_ids()
    {
        using var weight = Randn(71, 6, 3);
        using var ids = Tensor.FromArray<long>([1, 4, 1, 0, 4, 4], [2, 3]);
        Check(i => Ops.Embedding(ids, i[0]), [weight], name: "embedding");
        using var ids32 = Tensor.FromArray<int>([5, 5, 2], [3]);
        Check(i => Ops.Embedding(ids32, i[0]), [weight], name: "embedding int32");
    }

    [Fact]
    public void IndexSelect_and_gather_gradients()
    {
        using var x = Randn(72, 4, 5);
        using var index = Tensor.FromArray<long>([3, 0, 3], [3]);
        Check(i => Ops.IndexSelect(i[0], 1, index), [x], name: "index_select dim 1");
        Check(i => Ops.IndexSelect(i[0], 0, index), [x], name: "index_select dim 0");
        using var gatherIndex = Tensor.FromArray<long>([0, 2, 2, 1, 4, 4, 3, 0], [4, 2]);
        Check(i => Ops.Gather(i[0], 1, gatherIndex), [x], name: "gather");
    }

    [Fact]
    public void Scatter_and_scatter_add_gradients()
    {
        using var x = Randn(73, 3, 5);
        using var src = Randn(74, 3, 3);
        using var index = Tensor.FromArray<long>([0, 4, 2, 1, 3, 0, 2, 2, 4], [3, 3]);
        Check(i => Ops.ScatterAdd(i[0], 1, index, i[1]), [x, src], name: "scatter_add");
        using var unique = Tensor.FromArray<long>([0, 4, 2, 1, 3, 0, 2, 1, 4], [3, 3]);
        using var srcLarger = Randn(75, 3, 4);
        using var narrow = Tensor.FromArray<long>([0, 4, 1, 3, 2, 1], [3, 2]);
        Check(i => Ops.Scatter(i[0], 1, unique, i[1]), [x, src], name: "scatter");
        Check(i => Ops.Scatter(i[0], 1, narrow, i[1]), [x, srcLarger], name: "scatter with a larger src");
    }

    [Fact]
    public void Cat_stack_split_and_chunk_gradients()
    {
        using var a = Randn(76, 2, 3);
        using var b = Randn(77, 2, 1);
        using var c = Randn(78, 2, 3);
        Check(i => Ops.Cat([i[0], i[1], i[2]], 1), [a, b, c], name: "cat");
        Check(i => Ops.Stack([i[0], i[1]], 1), [a, c], name: "stack");
        Check(i => Ops.Split(i[0], 2, 1)[1] * 3.0, [a], name: "split");
        Check(i =>
        {
            var parts = Ops.Chunk(i[0], 2, 1);
            return parts[0] * parts[1].Slice(1, 0, 1);
        }, [a], name: "chunk");
    }

    [Fact]
    public void Nearest_upsampling_gradient_sums_the_copies()
    {
        using var x = Randn(79, 2, 2, 3, 4);
        Check(i => Ops.InterpolateNearest(i[0], 2.0), [x], name: "nearest 2x");
        Check(i => Ops.InterpolateNearest(i[0], 5, 7), [x], name: "nearest to 5x7");
        Check(i => Ops.InterpolateNearest(i[0], 3.0), [x], name: "nearest 3x");
        Check(i => Ops.InterpolateNearest(i[0], 2, 3), [x], name: "nearest down");
    }

    [Fact]
    public void TopK_and_sort_values_carry_gradients()
    {
        using var x = Tensor.FromArray<float>([0.3f, -1.2f, 2.5f, 0.9f, -0.4f, 1.7f, 0.1f, -2.2f], [2, 4]);
        Check(i => Ops.TopK(i[0], 2, -1).Values, [x], name: "topk");
        Check(i => Ops.Sort(i[0], 1, descending: true).Values, [x], name: "sort");
    }
}
