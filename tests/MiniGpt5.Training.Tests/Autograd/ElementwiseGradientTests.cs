using MiniGpt5.Tensors;
using static MiniGpt5.Training.Tests.Autograd.GradCheck;

namespace MiniGpt5.Training.Tests.Autograd;

/// <summary>Finite-difference checks of every elementwise backward (float32, tolerances in <see cref="GradCheck"/>).</summary>
public sealed class ElementwiseGradientTests
{
    public static TheoryData<string> UnaryOps => new()
    {
        "neg", "abs", "exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "gelu", "gelu_tanh",
        "quick_gelu", "silu", "reciprocal", "clamp", "clamp_min", "clamp_max",
    };

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void Unary_op_gradients_match_finite_differences(string op)
    {
        // Positive inputs for the ops defined there; others get values away from their kinks.
        using var x = op switch
        {
            "log" or "sqrt" or "rsqrt" or "reciprocal" => Uniform(1, 0.5, 2.0, 3, 5),
            "abs" or "relu" => AwayFromZero(2, 0.05, 3, 5),
            "clamp" or "clamp_min" or "clamp_max" => AwayFromZero(3, 0.05, 3, 5) * 1.0,
            _ => Randn(4, 3, 5) * 1.5,
        };
        Func<Tensor, Tensor> f = op switch
        {
            "neg" => t => Ops.Neg(t),
            "abs" => t => Ops.Abs(t),
            "exp" => t => Ops.Exp(t),
            "log" => t => Ops.Log(t),
            "sqrt" => t => Ops.Sqrt(t),
            "rsqrt" => t => Ops.Rsqrt(t),
            "sin" => t => Ops.Sin(t),
            "cos" => t => Ops.Cos(t),
            "tanh" => t => Ops.Tanh(t),
            "sigmoid" => t => Ops.Sigmoid(t),
            "relu" => t => Ops.Relu(t),
            "gelu" => t => Ops.Gelu(t),
            "gelu_tanh" => t => Ops.Gelu(t, GeluApproximation.Tanh),
            "quick_gelu" => t => Ops.QuickGelu(t),
            "silu" => t => Ops.Silu(t),
            "reciprocal" => t => Ops.Reciprocal(t),
            // Bounds between sample values, away from them by more than ε.
            "clamp" => t => Ops.Clamp(t, -0.5123, 0.4876),
            "clamp_min" => t => Ops.Clamp(t, min: -0.5123),
            "clamp_max" => t => Ops.Clamp(t, max: 0.4876),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        Check(i => f(i[0]), [x], name: op);
    }

    [Fact]
    public void Gelu_slope_is_right_at_and_near_zero()
    {
        using var x = Tensor.FromArray<float>([0f, 1e-5f, -1e-4f, 9e-4f, -2e-3f, 6f, -6f, -12f], [8]);
        Check(i => Ops.Gelu(i[0]), [x], eps: 1e-3, name: "gelu near 0");
    }

    public static TheoryData<string> BinaryOps => new() { "add", "sub", "mul", "div", "pow", "maximum", "minimum" };

    [Theory]
    [MemberData(nameof(BinaryOps))]
    public void Binary_op_gradients_reduce_over_broadcast_dims(string op)
    {
        // a [2, 3, 4] against b [3, 1]: b is broadcast over dims 0 and 2.
        using var a = op == "pow" ? Uniform(5, 0.5, 2.0, 2, 3, 4) : Randn(5, 2, 3, 4);
        using var b = op switch
        {
            "div" => Uniform(6, 0.7, 1.8, 3, 1),
            "pow" => Uniform(6, -1.5, 2.5, 3, 1),
            // Values far from a's so no ties.
            "maximum" or "minimum" => Tensor.FromArray<float>([0.03f, -0.51f, 0.77f], [3, 1]),
            _ => Randn(6, 3, 1),
        };
        Func<Tensor, Tensor, Tensor> f = op switch
        {
            "add" => (x, y) => x + y,
            "sub" => (x, y) => x - y,
            "mul" => (x, y) => x * y,
            "div" => (x, y) => x / y,
            "pow" => (x, y) => Ops.Pow(x, y),
            "maximum" => (x, y) => Ops.Maximum(x, y),
            "minimum" => (x, y) => Ops.Minimum(x, y),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        Check(i => f(i[0], i[1]), [a, b], eps: op is "maximum" or "minimum" ? 1e-3 : 1e-2, name: op);
    }

    [Fact]
    public void Scalar_operand_gradients_match_finite_differences()
    {
        using var x = Uniform(7, 0.5, 2.0, 4, 3);
        Check(i => i[0] + 1.5, [x], name: "add scalar");
        Check(i => i[0] - 1.5, [x], name: "sub scalar");
        Check(i => 1.5 - i[0], [x], name: "rsub");
        Check(i => i[0] * -2.5, [x], name: "mul scalar");
        Check(i => i[0] / 3.0, [x], name: "div scalar");
        Check(i => 3.0 / i[0], [x], name: "rdiv");
        Check(i => Ops.Pow(i[0], 3.0), [x], name: "pow 3");
        Check(i => Ops.Pow(i[0], 0.5), [x], name: "pow 0.5");
        Check(i => Ops.Pow(i[0], -1.5), [x], name: "pow -1.5");
        Check(i => Ops.Pow(i[0], 2.0), [x], name: "pow 2");
        Check(i => Ops.Pow(i[0], 0.0), [x], name: "pow 0");
    }

    [Fact]
    public void Ties_in_maximum_split_the_gradient_like_torch()
    {
        using var a = Tensor.FromArray<float>([1f, 2f, 3f], [3]);
        using var b = Tensor.FromArray<float>([1f, 5f, 0f], [3]);
        var (ga, gb) = Gradients((x, y) => Ops.Maximum(x, y), a, b);
        Assert.Equal([0.5f, 0f, 1f], ga);
        Assert.Equal([0.5f, 1f, 0f], gb);
    }

    [Fact]
    public void Where_and_masked_fill_route_gradients_by_the_condition()
    {
        using var x = Randn(8, 2, 3);
        using var y = Randn(9, 3);
        using var condition = Tensor.FromArray<bool>([true, false, true, false, false, true], [2, 3]);
        Check(i => Ops.Where(condition, i[0], i[1]), [x, y], name: "where");
        using var mask = Tensor.FromArray<bool>([false, true, false], [3]);
        Check(i => Ops.MaskedFill(i[0], mask, -7.0), [x], name: "masked_fill");
    }

    internal static (float[] A, float[] B) Gradients(Func<Tensor, Tensor, Tensor> f, Tensor a, Tensor b)
    {
        using var store = new MiniGpt5.Training.Autograd.GradientStore();
        using var scope = TensorScope.Enter();
        var la = a.Clone();
        var lb = b.Clone();
        la.RequiresGrad = true;
        lb.RequiresGrad = true;
        using var tape = MiniGpt5.Training.Autograd.GradientTape.Start();
        var loss = Ops.Sum(f(la, lb));
        tape.Backward(loss, store);
        return (store.Get(la)!.ToFloatArray(), store.Get(lb)!.ToFloatArray());
    }
}
