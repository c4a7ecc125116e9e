using MiniGpt5.Tensors.Tests.Support;

namespace MiniGpt5.Tensors.Tests;

public sealed class LinearAlgebraGoldenTests : IDisposable
{
    private readonly GoldenFile _golden = GoldenFile.Load("ops_linalg.safetensors");

    public static TheoryData<string> Backends => Kernels.Both;

    public void Dispose() => _golden.Dispose();

    [Theory]
    [MemberData(nameof(Backends))]
    public void Matmul_matches_pytorch_for_every_operand_rank(string backend)
    {
        // Tolerance: float32 1e-5 of the output scale (different summation order); bfloat16 one output ulp.
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("matmul"))
        {
            using var scope = TensorScope.Enter();
            var a = _golden[c, "a"];
            var b = _golden[c, "b"];
            var expected = _golden[c, "out"];
            var (atol, rtol) = Kernels.Tolerance(a.DType);
            TensorAssert.Close(expected, Ops.Matmul(a, b), atol * 10, rtol, c.ToString());
            if (b.Rank >= 2)
            {
                // The same values through a transposed (column-major) view of b.
                var bT = b.Transpose(-1, -2).Contiguous().Transpose(-1, -2);
                TensorAssert.Close(expected, Ops.Matmul(a, bT), atol * 10, rtol, c + " (b transposed)");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Linear_matches_pytorch_including_half_weights_with_float_activations(string backend)
    {
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("linear"))
        {
            using var scope = TensorScope.Enter();
            var x = _golden[c, "x"];
            var bias = _golden.Has(c, "b") ? _golden[c, "b"] : null;
            var expected = _golden[c, "out"];
            var actual = Ops.Linear(x, _golden[c, "w"], bias);
            Assert.Equal(expected.DType, actual.DType);
            var (atol, rtol) = Kernels.Tolerance(expected.DType);
            TensorAssert.Close(expected, actual, atol * 10, rtol, c.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Conv2d_matches_pytorch(string backend)
    {
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("conv2d"))
        {
            using var scope = TensorScope.Enter();
            var bias = _golden.Has(c, "b") ? _golden[c, "b"] : null;
            var actual = Ops.Conv2d(_golden[c, "x"], _golden[c, "w"], bias, c.Pair("stride"), c.Pair("padding"), c.Pair("dilation"), c.Int("groups"));
            var expected = _golden[c, "out"];
            var (atol, rtol) = Kernels.Tolerance(expected.DType);
            TensorAssert.Close(expected, actual, atol * 10, rtol, c.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Conv_transpose2d_matches_pytorch(string backend)
    {
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("conv_transpose2d"))
        {
            using var scope = TensorScope.Enter();
            var actual = Ops.ConvTranspose2d(
                _golden[c, "x"], _golden[c, "w"], _golden[c, "b"], c.Pair("stride"), c.Pair("padding"), c.Pair("output_padding"), c.Int("groups"), c.Pair("dilation"));
            TensorAssert.Close(_golden[c, "out"], actual, 1e-4, 1e-5, c.ToString());
        }
    }

    [Fact]
    public void Shape_and_dtype_errors_name_the_operands()
    {
        using var scope = TensorScope.Enter();
        var error = Assert.Throws<TensorShapeException>(() => Ops.Matmul(Tensor.Zeros([2, 3]), Tensor.Zeros([4, 5])));
        Assert.Contains("[2, 3]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 5]", error.Message, StringComparison.Ordinal);
        var linear = Assert.Throws<TensorShapeException>(() => Ops.Linear(Tensor.Zeros([2, 3]), Tensor.Zeros([4, 5])));
        Assert.Contains("in_features = 5", linear.Message, StringComparison.Ordinal);
        Assert.Throws<TensorDTypeException>(() => Ops.Linear(Tensor.Zeros([2, 3], DType.BFloat16), Tensor.Zeros([4, 3])));
        var conv = Assert.Throws<TensorShapeException>(() => Ops.Conv2d(Tensor.Zeros([1, 3, 8, 8]), Tensor.Zeros([4, 2, 3, 3])));
        Assert.Contains("[4, 2, 3, 3]", conv.Message, StringComparison.Ordinal);
    }
}
