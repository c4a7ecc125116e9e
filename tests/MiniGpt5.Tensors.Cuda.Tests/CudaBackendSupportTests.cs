using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda.Tests;

/// <summary>What the CUDA backend accepts is decided from dtypes, shapes and strides alone, so it is checked here
/// with CPU tensors; every refusal must say why.</summary>
public sealed class CudaBackendSupportTests
{
    [Fact]
    public void Implemented_ops_on_supported_layouts_are_accepted()
    {
        using var x = Tensor.Zeros([2, 3, 8]);
        using var w = Tensor.Zeros([5, 8], DType.BFloat16);
        using var y = Tensor.Zeros([2, 3, 5]);
        Assert.Null(CudaBackend.Unsupported(OpKind.Linear, [x, w], [y], OpAttributes.None));
        Assert.Null(CudaBackend.Unsupported(OpKind.Gelu, [x], [x], OpAttributes.None));
        Assert.Null(CudaBackend.Unsupported(OpKind.Add, [x, x], [x], OpAttributes.None));
        Assert.Null(CudaBackend.Unsupported(OpKind.Softmax, [x], [x], new DimAttributes(-1)));
        Assert.Null(CudaBackend.Unsupported(OpKind.Copy, [x], [Tensor.Zeros([2, 3, 8], DType.BFloat16)], OpAttributes.None));

        using var q = Tensor.Zeros([1, 8, 4, 64]);
        using var kv = Tensor.Zeros([1, 2, 6, 64]);
        Assert.Null(CudaBackend.Unsupported(OpKind.ScaledDotProductAttention, [q, kv, kv], [q], new AttentionAttributes(0.125, true, CausalVariant.LowerRight, EnableGqa: true)));
    }

    [Fact]
    public void Ops_without_a_kernel_are_refused_and_the_exception_names_the_op()
    {
        using var x = Tensor.Zeros([4, 4]);
        var reason = CudaBackend.Unsupported(OpKind.Cumsum, [x], [x], new DimAttributes(0));
        Assert.Contains("no CUDA kernel", reason, StringComparison.Ordinal);
        Assert.NotNull(reason);

        var error = new CudaOpNotSupportedException(OpKind.Cumsum, reason!);
        Assert.Equal(OpKind.Cumsum, error.Op);
        Assert.Contains("Cumsum", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tensor.To(Device.Cpu)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_dtypes_and_layouts_are_refused_with_the_reason()
    {
        using var f64 = Tensor.Zeros([4], DType.Float64);
        Assert.Contains("float64", CudaBackend.Unsupported(OpKind.Neg, [f64], [f64], OpAttributes.None), StringComparison.Ordinal);

        using var ids = Tensor.Zeros([4], DType.Int64);
        Assert.Contains("int32/int64", CudaBackend.Unsupported(OpKind.Add, [ids, ids], [ids], OpAttributes.None), StringComparison.Ordinal);
        Assert.Contains("Int32", CudaBackend.Unsupported(OpKind.Copy, [ids], [Tensor.Zeros([4], DType.Int32)], OpAttributes.None), StringComparison.Ordinal);
        Assert.Null(CudaBackend.Unsupported(OpKind.Copy, [ids], [ids], OpAttributes.None));

        using var x = Tensor.Zeros([3, 5]);
        Assert.Contains("only the last dimension", CudaBackend.Unsupported(OpKind.Softmax, [x], [x], new DimAttributes(0)), StringComparison.Ordinal);

        using var transposed = x.Transpose(0, 1);
        using var y = Tensor.Zeros([5, 3]);
        // A strided input is staged into a contiguous copy by the backend; only a strided output is refused.
        Assert.Null(CudaBackend.Unsupported(OpKind.RmsNorm, [transposed, Tensor.Zeros([3])], [y], new NormAttributes(1e-6)));
        using var transposedOut = Tensor.Zeros([3, 5]).Transpose(0, 1);
        Assert.Contains("non-contiguous output", CudaBackend.Unsupported(OpKind.RmsNorm, [y, Tensor.Zeros([3])], [transposedOut], new NormAttributes(1e-6)), StringComparison.Ordinal);

        using var q = Tensor.Zeros([1, 2, 4, 256]);
        Assert.Contains("at most 128", CudaBackend.Unsupported(OpKind.ScaledDotProductAttention, [q, q, q], [q], new AttentionAttributes(0.1, false, CausalVariant.UpperLeft, false)), StringComparison.Ordinal);

        using var half = Tensor.Zeros([2, 8], DType.Float16);
        using var bf = Tensor.Zeros([4, 8], DType.BFloat16);
        Assert.Contains("same dtype", CudaBackend.Unsupported(OpKind.Linear, [half, bf], [Tensor.Zeros([2, 4], DType.Float16)], OpAttributes.None), StringComparison.Ordinal);
    }

    [Fact]
    public void Layout_ops_are_accepted_only_where_a_strided_copy_or_the_gather_kernel_is_exact()
    {
        using var x = Tensor.Zeros([1, 4, 8, 8]);
        using var up = Tensor.Zeros([1, 4, 16, 16]);
        using var odd = Tensor.Zeros([1, 4, 12, 12]);
        Assert.Null(CudaBackend.Unsupported(OpKind.InterpolateNearest, [x], [up], new InterpolateAttributes(2.0, 2.0)));
        Assert.Null(CudaBackend.Unsupported(OpKind.InterpolateNearest, [x], [up], new InterpolateAttributes(null, null)));
        Assert.Contains("whole-number", CudaBackend.Unsupported(OpKind.InterpolateNearest, [x], [odd], new InterpolateAttributes(1.5, 1.5)), StringComparison.Ordinal);

        using var ids = Tensor.Zeros([2, 3], DType.Int64);
        using var table = Tensor.Zeros([10, 8], DType.BFloat16);
        using var rows = Tensor.Zeros([2, 3, 8], DType.BFloat16);
        Assert.Null(CudaBackend.Unsupported(OpKind.Embedding, [ids, table], [rows], OpAttributes.None));
        using var floatIds = Tensor.Zeros([2, 3]);
        Assert.Contains("int32/int64", CudaBackend.Unsupported(OpKind.Embedding, [floatIds, table], [rows], OpAttributes.None), StringComparison.Ordinal);

        using var a = Tensor.Zeros([2, 3]);
        using var b = Tensor.Zeros([2, 5]);
        Assert.Null(CudaBackend.Unsupported(OpKind.Cat, [a, b], [Tensor.Zeros([2, 8])], new DimAttributes(1)));
        using var i64 = Tensor.Zeros([2], DType.Int64);
        using var i32 = Tensor.Zeros([2], DType.Int32);
        Assert.Contains("integer", CudaBackend.Unsupported(OpKind.Cat, [i64, i32], [Tensor.Zeros([4], DType.Int32)], new DimAttributes(0)), StringComparison.Ordinal);
    }

    [Fact]
    public void Reductions_are_accepted_over_trailing_dims_of_contiguous_float_input()
    {
        using var x = Tensor.Zeros([2, 3, 4]);
        using var rows = Tensor.Zeros([2, 3]);
        using var ids = Tensor.Zeros([2, 3], DType.Int64);
        Assert.Null(CudaBackend.Unsupported(OpKind.Sum, [x], [rows], new ReduceAttributes([2], false)));
        Assert.Null(CudaBackend.Unsupported(OpKind.Argmax, [x], [ids], new ReduceAttributes([2], false)));
        Assert.Null(CudaBackend.Unsupported(OpKind.Var, [x], [Tensor.Zeros([2])], new ReduceAttributes([1, 2], false, 1)));
        Assert.Contains("trailing", CudaBackend.Unsupported(OpKind.Mean, [x], [Tensor.Zeros([3, 4])], new ReduceAttributes([0], false)), StringComparison.Ordinal);
        using var ints = Tensor.Zeros([2, 3], DType.Int32);
        Assert.Contains("float only", CudaBackend.Unsupported(OpKind.Sum, [ints], [Tensor.Zeros([2], DType.Int64)], new ReduceAttributes([1], false)), StringComparison.Ordinal);
    }

    [Fact]
    public void Conv2d_is_accepted_for_ungrouped_float_convolutions()
    {
        using var x = Tensor.Zeros([1, 4, 8, 8]);
        using var w = Tensor.Zeros([6, 4, 3, 3], DType.Float16);
        using var y = Tensor.Zeros([1, 6, 8, 8]);
        Assert.Null(CudaBackend.Unsupported(OpKind.Conv2d, [x, w], [y], new Conv2dAttributes((1, 1), (1, 1), (1, 1), 1)));
        Assert.Contains("groups=2", CudaBackend.Unsupported(OpKind.Conv2d, [x, Tensor.Zeros([6, 2, 3, 3])], [y], new Conv2dAttributes((1, 1), (1, 1), (1, 1), 2)), StringComparison.Ordinal);
        Assert.NotNull(CudaBackend.Unsupported(OpKind.ConvTranspose2d, [x, w], [y], new Conv2dAttributes((2, 2), (1, 1), (1, 1), 1)));
    }

    [Fact]
    public void Broadcast_strides_are_right_aligned_with_zero_on_broadcast_dims()
    {
        using var bias = Tensor.Zeros([1, 5]);
        Assert.Equal([0L, 0, 1], CudaBackend.BroadcastStrides(bias, [4, 3, 5]));
        using var x = Tensor.Zeros([4, 3, 5]);
        Assert.Equal([15L, 5, 1], CudaBackend.BroadcastStrides(x, [4, 3, 5]));
    }
}
