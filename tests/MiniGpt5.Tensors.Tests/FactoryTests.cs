namespace MiniGpt5.Tensors.Tests;

public sealed class FactoryTests
{
    [Fact]
    public void Factories_fill_and_type_their_results()
    {
        using var scope = TensorScope.Enter();
        Assert.All(Tensor.Zeros([2, 3], DType.BFloat16).ToFloatArray(), v => Assert.Equal(0f, v));
        Assert.All(Tensor.Ones([5], DType.Int64).ToArray<long>(), v => Assert.Equal(1L, v));
        Assert.All(Tensor.Full([4], 0.1, DType.Float16).ToArray<Half>(), v => Assert.Equal((Half)0.1f, v));
        Assert.Equal(new long[] { 0, 1, 2, 3 }, Tensor.Arange(4).ToArray<long>());
        Assert.Equal(new float[] { 1f, 1.5f, 2f, 2.5f }, Tensor.Arange(1, 3, 0.5, DType.Float32).ToArray<float>());
        Assert.Equal(new long[] { 5, 3, 1 }, Tensor.Arange(5, 0, -2).ToArray<long>());
        Assert.Equal(DType.Bool, Tensor.FromArray(new[] { true, false }).DType);
        Assert.Equal(DType.BFloat16, Tensor.FromArray(new[] { 1.5f }, [1], DType.BFloat16).DType);
        Assert.Equal(2.5f, Tensor.Scalar(2.5).Item<float>());
        Assert.Empty(Tensor.Scalar(2.5).ShapeArray());
        var error = Assert.Throws<TensorShapeException>(() => Tensor.FromArray<float>(new float[5], [2, 3]));
        Assert.Contains("[2, 3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resident_copy_is_a_contiguous_converted_copy_in_its_own_native_memory()
    {
        using var scope = TensorScope.Enter();
        // A strided view (the transpose of [3, 4]) converted from float32 to bfloat16.
        var source = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => i * 0.25f).ToArray(), [3, 4]).Transpose(0, 1);
        var copy = Tensor.ResidentCopy(source, DType.BFloat16);

        Assert.Equal(DType.BFloat16, copy.DType);
        Assert.Equal(source.ShapeArray(), copy.ShapeArray());
        Assert.True(copy.IsContiguous);
        Assert.IsType<NativeStorage>(copy.Storage);
        Assert.NotSame(source.Storage, copy.Storage);
        Assert.Equal(source.Contiguous().ToFloatArray(), copy.ToFloatArray());
    }
}
