namespace MiniGpt5.Tensors.Tests;

public sealed class TensorViewTests
{
    private static Tensor Iota(params int[] shape)
    {
        var count = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray<float>(Enumerable.Range(0, count).Select(i => (float)i).ToArray(), shape);
    }

    [Fact]
    public void Views_share_storage_and_read_the_right_elements()
    {
        using var scope = TensorScope.Enter();
        var x = Iota(2, 3, 4);

        var t = x.Transpose(0, 2); // [4, 3, 2]
        Assert.Same(x.Storage, t.Storage);
        Assert.Equal([4, 3, 2], t.ShapeArray());
        Assert.False(t.IsContiguous);
        Assert.Equal(new float[] { 0, 12, 4, 16, 8, 20 }, t.Select(0, 0).ToArray<float>());

        var p = x.Permute(1, 0, 2);
        Assert.Equal(new float[] { 4, 5, 6, 7, 16, 17, 18, 19 }, p.Select(0, 1).ToArray<float>());

        var s = x.Slice(2, 1, 4, 2); // last dim picks 1, 3
        Assert.Equal([2, 3, 2], s.ShapeArray());
        Assert.Equal(new float[] { 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23 }, s.ToArray<float>());

        var negative = x.Slice(1, -2); // last two rows of dim 1
        Assert.Equal(new float[] { 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23 }, negative.ToArray<float>());
        Assert.Equal([2, 0, 4], x.Slice(1, 5, 9).ShapeArray());

        var n = x.Narrow(1, 1, 1);
        Assert.Equal(new float[] { 4, 5, 6, 7, 16, 17, 18, 19 }, n.ToArray<float>());
        Assert.Equal(new float[] { 20, 21, 22, 23 }, x.Select(0, -1).Select(0, 2).ToArray<float>());
    }

    [Fact]
    public void Reshape_views_when_possible_and_copies_otherwise()
    {
        using var scope = TensorScope.Enter();
        var x = Iota(2, 3, 4);
        var v = x.Reshape(6, -1);
        Assert.Same(x.Storage, v.Storage);
        Assert.Equal([6, 4], v.ShapeArray());

        var t = x.Transpose(1, 2); // [2, 4, 3], not viewable as [8, 3]? it is: dims 0 and 1 merge only if strides allow.
        var merged = t.Reshape(2, 12);
        Assert.NotSame(x.Storage, merged.Storage);
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, merged.Select(0, 0).ToArray<float>());
        var error = Assert.Throws<TensorShapeException>(() => t.View(2, 12));
        Assert.Contains("[2, 4, 3]", error.Message, StringComparison.Ordinal);

        // Splitting a dim of a transposed tensor is a view (torch computeStride allows it).
        var split = t.View(2, 2, 2, 3);
        Assert.Same(x.Storage, split.Storage);
        Assert.Equal(t.ToArray<float>(), split.ToArray<float>());

        Assert.Throws<TensorShapeException>(() => x.Reshape(5, -1));
        Assert.Throws<TensorShapeException>(() => x.Reshape(-1, -1));
    }

    [Fact]
    public void Expand_unsqueeze_squeeze_flatten()
    {
        using var scope = TensorScope.Enter();
        var x = Iota(3, 1);
        var e = x.Expand(2, 3, 4);
        Assert.Equal([2, 3, 4], e.ShapeArray());
        Assert.Equal(new long[] { 0, 1, 0 }, e.Strides.ToArray());
        Assert.Equal(new float[] { 1, 1, 1, 1 }, e.Select(0, 1).Select(0, 1).ToArray<float>());
        Assert.Throws<TensorShapeException>(() => x.Expand(3, 2, 4).Expand(3, 3, 4));

        var u = x.Unsqueeze(0).Unsqueeze(-1);
        Assert.Equal([1, 3, 1, 1], u.ShapeArray());
        Assert.Equal([3], u.Squeeze().ShapeArray());
        Assert.Equal([1, 3, 1], u.Squeeze(2).ShapeArray());
        Assert.Equal([1, 3, 1, 1], u.Squeeze(1).ShapeArray());

        var y = Iota(2, 3, 4, 5);
        Assert.Equal([2, 12, 5], y.Flatten(1, 2).ShapeArray());
        Assert.Equal([120], y.Flatten().ShapeArray());
    }

    [Fact]
    public void Contiguous_clone_and_dispose_manage_storage_references()
    {
        var x = Iota(4, 5);
        var storage = x.Storage;
        var view = x.Transpose(0, 1);
        Assert.Equal(2, storage.ReferenceCount);

        var contiguous = view.Contiguous();
        Assert.True(contiguous.IsContiguous);
        Assert.NotSame(storage, contiguous.Storage);
        Assert.Equal(view.ToArray<float>(), contiguous.ToArray<float>());

        var clone = x.Clone();
        clone.AsSpan<float>()[0] = 42;
        Assert.Equal(0, x.AsSpan<float>()[0]);

        x.Dispose();
        x.Dispose();
        Assert.Equal(1, storage.ReferenceCount);
        Assert.Equal(5f, view.ToArray<float>()[1]);
        view.Dispose();
        Assert.Equal(0, storage.ReferenceCount);
        Assert.Throws<ObjectDisposedException>(() => view.Storage);
        contiguous.Dispose();
        clone.Dispose();
    }

    [Fact]
    public void From_storage_views_existing_memory_and_checks_bounds()
    {
        var storage = new NativeStorage(4 * 24);
        using (var full = Tensor.FromStorage(storage, DType.Float32, [24]))
        {
            var span = full.AsSpan<float>();
            for (var i = 0; i < 24; i++)
            {
                span[i] = i;
            }
        }

        using var strided = Tensor.FromStorage(storage, DType.Float32, [2, 3], [6, 2], 4);
        Assert.Equal(new float[] { 4, 6, 8, 10, 12, 14 }, strided.ToArray<float>());
        Assert.Equal(2, storage.ReferenceCount);

        long[] longShape = [3, 2];
        long[] longStrides = [1, 3];
        using var fromCheckpoint = Tensor.FromStorage(storage, DType.Float32, longShape, longStrides, 6);
        Assert.Equal(new float[] { 6, 9, 7, 10, 8, 11 }, fromCheckpoint.ToArray<float>());

        var error = Assert.Throws<TensorShapeException>(() => Tensor.FromStorage(storage, DType.Float32, [5, 5], [5, 1], 0));
        Assert.Contains("needs 100 bytes but the storage has 96", error.Message, StringComparison.Ordinal);
        Assert.Throws<TensorShapeException>(() => Tensor.FromStorage(storage, DType.Float32, [2], [1, 1], 0));
        storage.Release();
    }

    [Fact]
    public void Span_access_checks_element_type_and_layout()
    {
        using var scope = TensorScope.Enter();
        var x = Iota(2, 3);
        var dtype = Assert.Throws<TensorDTypeException>(() => x.AsSpan<Half>());
        Assert.Contains("float32", dtype.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => x.Transpose(0, 1).AsSpan<float>());
        Assert.Equal(5f, x.Select(0, 1).Select(0, 2).Item<float>());
        Assert.Throws<TensorShapeException>(() => x.Item<float>());
    }

    [Fact]
    public void Out_of_range_dims_and_indices_name_the_shape()
    {
        using var scope = TensorScope.Enter();
        var x = Iota(2, 3);
        var error = Assert.Throws<TensorShapeException>(() => x.Select(2, 0));
        Assert.Contains("[2, 3]", error.Message, StringComparison.Ordinal);
        Assert.Throws<TensorShapeException>(() => x.Select(1, 3));
        Assert.Throws<TensorShapeException>(() => x.Narrow(1, 2, 2));
        Assert.Throws<TensorShapeException>(() => x.Permute(0, 0));
        Assert.Throws<TensorShapeException>(() => x.Slice(0, 0, 1, 0));
    }
}
