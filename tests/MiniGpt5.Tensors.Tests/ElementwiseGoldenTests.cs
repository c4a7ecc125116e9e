using MiniGpt5.Tensors.Tests.Support;

namespace MiniGpt5.Tensors.Tests;

public sealed class ElementwiseGoldenTests : IDisposable
{
    private readonly GoldenFile _golden = GoldenFile.Load("ops_elementwise.safetensors");

    public static TheoryData<string> Backends => Kernels.Both;

    public void Dispose() => _golden.Dispose();

    private static Tensor Unary(string fn, Tensor x) => fn switch
    {
        "neg" => Ops.Neg(x),
        "abs" => Ops.Abs(x),
        "exp" => Ops.Exp(x),
        "log" => Ops.Log(x),
        "sqrt" => Ops.Sqrt(x),
        "rsqrt" => Ops.Rsqrt(x),
        "sin" => Ops.Sin(x),
        "cos" => Ops.Cos(x),
        "tanh" => Ops.Tanh(x),
        "sigmoid" => Ops.Sigmoid(x),
        "relu" => Ops.Relu(x),
        "gelu" => Ops.Gelu(x),
        "gelu_tanh" => Ops.Gelu(x, GeluApproximation.Tanh),
        "quick_gelu" => Ops.QuickGelu(x),
        "silu" => Ops.Silu(x),
        "reciprocal" => Ops.Reciprocal(x),
        _ => throw new ArgumentException(fn),
    };

    private static Tensor Binary(string fn, Tensor a, Tensor b) => fn switch
    {
        "add" => Ops.Add(a, b),
        "sub" => Ops.Sub(a, b),
        "mul" => Ops.Mul(a, b),
        "div" => Ops.Div(a, b),
        "pow" => Ops.Pow(a, b),
        "maximum" => Ops.Maximum(a, b),
        "minimum" => Ops.Minimum(a, b),
        "eq" => Ops.Eq(a, b),
        "ne" => Ops.Ne(a, b),
        "lt" => Ops.Lt(a, b),
        "le" => Ops.Le(a, b),
        "gt" => Ops.Gt(a, b),
        "ge" => Ops.Ge(a, b),
        _ => throw new ArgumentException(fn),
    };

    [Theory]
    [MemberData(nameof(Backends))]
    public void Unary_ops_match_pytorch(string backend)
    {
        // Tolerance: float32 atol/rtol 1e-5 (erf and transcendental approximations differ by a few ulps);
        // float16/bfloat16 one ulp of the output dtype.
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("unary"))
        {
            using var scope = TensorScope.Enter();
            var x = _golden[c, "x"];
            var expected = _golden[c, "out"];
            var (atol, rtol) = Kernels.Tolerance(x.DType);
            var actual = Unary(c.String("fn")!, x);
            Assert.Equal(x.DType, actual.DType);
            TensorAssert.Close(expected, actual, atol, rtol, c.ToString());

            // The same op on a transposed (strided) view.
            var strided = Unary(c.String("fn")!, x.Transpose(0, 1)).Transpose(0, 1);
            TensorAssert.Close(expected, strided, atol, rtol, c + " (strided)");
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Binary_ops_broadcast_and_promote_like_pytorch(string backend)
    {
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("binary").Concat(_golden.Op("compare")))
        {
            using var scope = TensorScope.Enter();
            var expected = _golden[c, "out"];
            var actual = Binary(c.String("fn")!, _golden[c, "a"], _golden[c, "b"]);
            Assert.Equal(expected.DType, actual.DType);
            var (atol, rtol) = Kernels.Tolerance(expected.DType);
            TensorAssert.Close(expected, actual, atol, rtol, c.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Scalar_forms_match_pytorch(string backend)
    {
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("scalar"))
        {
            using var scope = TensorScope.Enter();
            var x = _golden[c, "x"];
            var value = c.Double("value");
            var reverse = c.Bool("reverse");
            var actual = c.String("fn") switch
            {
                "add" => Ops.Add(x, value),
                "sub" => reverse ? Ops.Sub(value, x) : Ops.Sub(x, value),
                "mul" => Ops.Mul(x, value),
                "div" => reverse ? Ops.Div(value, x) : Ops.Div(x, value),
                "pow" => Ops.Pow(x, value),
                _ => throw new ArgumentException(c.ToString()),
            };
            var (atol, rtol) = Kernels.Tolerance(x.DType);
            TensorAssert.Close(_golden[c, "out"], actual, atol, rtol, c.ToString());
        }

        foreach (var c in _golden.Op("compare_scalar"))
        {
            using var scope = TensorScope.Enter();
            var a = _golden[c, "a"];
            var value = c.Double("value");
            var actual = c.String("fn") switch
            {
                "eq" => Ops.Eq(a, value),
                "ne" => Ops.Ne(a, value),
                "lt" => Ops.Lt(a, value),
                "le" => Ops.Le(a, value),
                "gt" => Ops.Gt(a, value),
                "ge" => Ops.Ge(a, value),
                _ => throw new ArgumentException(c.ToString()),
            };
            TensorAssert.Identical(_golden[c, "out"], actual, c.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Clamp_where_and_masked_fill_match_pytorch(string backend)
    {
        using var kernels = Kernels.Use(backend);
        foreach (var c in _golden.Op("clamp"))
        {
            using var scope = TensorScope.Enter();
            TensorAssert.Identical(_golden[c, "out"], Ops.Clamp(_golden[c, "x"], c.OptionalDouble("min"), c.OptionalDouble("max")), c.ToString());
        }

        foreach (var c in _golden.Op("where"))
        {
            using var scope = TensorScope.Enter();
            TensorAssert.Identical(_golden[c, "out"], Ops.Where(_golden[c, "cond"], _golden[c, "a"], _golden[c, "b"]), c.ToString());
        }

        foreach (var c in _golden.Op("masked_fill"))
        {
            using var scope = TensorScope.Enter();
            TensorAssert.Identical(_golden[c, "out"], Ops.MaskedFill(_golden[c, "x"], _golden[c, "mask"], c.Double("value")), c.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void In_place_and_out_variants_write_into_the_given_tensor(string backend)
    {
        using var kernels = Kernels.Use(backend);
        using var scope = TensorScope.Enter();
        var a = Tensor.FromArray<float>([1, 2, 3, 4, 5, 6], [2, 3]);
        var b = Tensor.FromArray<float>([10, 20, 30], [3]);
        var storage = a.Storage;
        Assert.Same(a, Ops.AddInPlace(a, b));
        Assert.Same(storage, a.Storage);
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, a.ToArray<float>());
        Ops.MulInPlace(a, 0.5);
        Assert.Equal(new float[] { 5.5f, 11, 16.5f, 7, 12.5f, 18 }, a.ToArray<float>());

        var destination = Tensor.Zeros([2, 3]);
        Assert.Same(destination, Ops.Mul(a, b, destination));
        Assert.Equal(new float[] { 55, 220, 495, 70, 250, 540 }, destination.ToArray<float>());

        var cache = Tensor.Zeros([4, 3], DType.BFloat16);
        Ops.CopyInto(cache.Narrow(0, 1, 2), a);
        Assert.Equal(new float[] { 0, 0, 0, 5.5f, 11, 16.5f, 7, 12.5f, 18, 0, 0, 0 }, cache.ToFloatArray());

        var wrongShape = Assert.Throws<TensorShapeException>(() => Ops.Add(a, b, Tensor.Zeros([3, 2])));
        Assert.Contains("[3, 2]", wrongShape.Message, StringComparison.Ordinal);
        Assert.Throws<TensorDTypeException>(() => Ops.Add(a, b, Tensor.Zeros([2, 3], DType.BFloat16)));
        Assert.Throws<TensorShapeException>(() => Ops.AddInPlace(b, a));
    }

    [Fact]
    public void Mismatched_shapes_name_both_shapes()
    {
        using var scope = TensorScope.Enter();
        var error = Assert.Throws<TensorShapeException>(() => Ops.Add(Tensor.Zeros([2, 3]), Tensor.Zeros([4])));
        Assert.Contains("[2, 3]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[4]", error.Message, StringComparison.Ordinal);
        Assert.Throws<TensorDTypeException>(() => Ops.Where(Tensor.Zeros([2]), Tensor.Zeros([2]), Tensor.Zeros([2])));
        Assert.Throws<TensorDTypeException>(() => Ops.Exp(Tensor.Zeros([2], DType.Float64)));
    }
}
