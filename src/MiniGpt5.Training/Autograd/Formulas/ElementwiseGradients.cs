using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Training.Autograd.Formulas;

// Elementwise ops: derivatives written with engine ops. Broadcast operands get their gradient summed back.
internal static partial class OpGradients
{
    // 1/√(2π): the standard normal density at 0.
    private const double InvSqrt2Pi = 0.3989422804014327;

    // √(2/π), the constant of the tanh GELU approximation.
    private const double Sqrt2OverPi = 0.7978845608028654;

    private static Tensor Unary(OpGradFunction node, Tensor g)
    {
        switch (node.Kind)
        {
            case OpKind.Neg:
                return Ops.Neg(g);
            case OpKind.Abs:
                {
                    var x = node.Input(0);
                    using var positive = Ops.Gt(x, 0);
                    using var negative = Ops.Lt(x, 0);
                    using var sign = Ops.Sub(positive.To(DType.Float32), negative.To(DType.Float32));
                    return g * sign;
                }

            case OpKind.Exp:
                return g * node.Output(0);
            case OpKind.Log:
                return g / node.Input(0);
            case OpKind.Sqrt:
                {
                    using var half = g * 0.5;
                    return half / node.Output(0);
                }

            case OpKind.Rsqrt:
                {
                    // d/dx x^-1/2 = -1/2 · y³.
                    var y = node.Output(0);
                    using var cube = y * y * y;
                    using var scaled = cube * -0.5;
                    return g * scaled;
                }

            case OpKind.Sin:
                {
                    using var cos = Ops.Cos(node.Input(0));
                    return g * cos;
                }

            case OpKind.Cos:
                {
                    using var sin = Ops.Sin(node.Input(0));
                    using var minusSin = Ops.Neg(sin);
                    return g * minusSin;
                }

            case OpKind.Tanh:
                {
                    var y = node.Output(0);
                    using var oneMinus = 1.0 - (y * y);
                    return g * oneMinus;
                }

            case OpKind.Sigmoid:
                {
                    var y = node.Output(0);
                    using var slope = y * (1.0 - y);
                    return g * slope;
                }

            case OpKind.Relu:
                {
                    using var off = Ops.Le(node.Output(0), 0);
                    return Ops.MaskedFill(g, off, 0);
                }

            case OpKind.Gelu:
                {
                    if (FusedActivationGradients.Applies(g, node.Input(0)))
                    {
                        return FusedActivationGradients.Gelu(g, node.Input(0));
                    }

                    using var slope = GeluSlope(node.Input(0));
                    return g * slope;
                }

            case OpKind.GeluTanh:
                {
                    using var slope = GeluTanhSlope(node.Input(0));
                    return g * slope;
                }

            case OpKind.QuickGelu:
                {
                    // y = x·s(1.702x): y' = s + 1.702·x·s·(1-s).
                    var x = node.Input(0);
                    using var s = Ops.Sigmoid(x * 1.702);
                    using var slope = s + (x * 1.702 * s * (1.0 - s));
                    return g * slope;
                }

            case OpKind.Silu:
                {
                    // y = x·s(x): y' = s·(1 + x·(1-s)).
                    var x = node.Input(0);
                    if (FusedActivationGradients.Applies(g, x))
                    {
                        return FusedActivationGradients.Silu(g, x);
                    }

                    using var s = Ops.Sigmoid(x);
                    using var slope = s * (1.0 + (x * (1.0 - s)));
                    return g * slope;
                }

            case OpKind.Reciprocal:
                {
                    var y = node.Output(0);
                    using var minusSquare = Ops.Neg(y * y);
                    return g * minusSquare;
                }

            case OpKind.Clamp:
                {
                    // PyTorch passes the gradient where min <= x <= max.
                    var a = (ClampAttributes)node.Attributes;
                    var x = node.Input(0);
                    Tensor? outside = null;
                    if (a.Min is { } min)
                    {
                        outside = Ops.Lt(x, min);
                    }

                    if (a.Max is { } max)
                    {
                        using var above = Ops.Gt(x, max);
                        outside = outside is null ? above.Alias() : Ops.LogicalOr(outside, above);
                    }

                    using (outside)
                    {
                        return Ops.MaskedFill(g, outside!, 0);
                    }
                }

            default:
                throw new InvalidOperationException($"Autograd: {node.Kind} is not a unary op.");
        }
    }

    /// <summary>d/dx of exact GELU: Φ(x) + x·φ(x).</summary>
    /// <remarks>
    /// The engine has no erf op, so Φ(x) is read off the exact GELU kernel as GELU(x)/x, which keeps full relative
    /// precision; near 0 (where that ratio is 0/0) Φ(x) = ½ + x·φ(0) to within 1e-10.
    /// </remarks>
    private static Tensor GeluSlope(Tensor input)
    {
        // Gated feed-forwards pass a strided half of a projection; ten elementwise kernels over a contiguous copy are
        // far faster than over the view.
        using var x = input.IsContiguous ? input.Alias() : input.Contiguous();
        using var gelu = Ops.Gelu(x);
        using var ratio = gelu / x;
        using var absolute = Ops.Abs(x);
        using var small = Ops.Lt(absolute, 1e-3);
        using var linear = (x * InvSqrt2Pi) + 0.5;
        using var cdf = Ops.Where(small, linear, ratio);
        using var pdf = Ops.Exp(x * x * -0.5) * InvSqrt2Pi;
        return cdf + (x * pdf);
    }

    /// <summary>d/dx of 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    private static Tensor GeluTanhSlope(Tensor input)
    {
        using var x = input.IsContiguous ? input.Alias() : input.Contiguous();
        using var square = x * x;
        using var inner = x * ((square * 0.044715) + 1.0) * Sqrt2OverPi;
        using var t = Ops.Tanh(inner);
        using var innerSlope = ((square * (3 * 0.044715)) + 1.0) * Sqrt2OverPi;
        using var left = (t + 1.0) * 0.5;
        using var right = x * 0.5 * (1.0 - (t * t)) * innerSlope;
        return left + right;
    }

    private static Tensor?[] Binary(OpGradFunction node, Tensor g)
    {
        if (node.Attributes is ScalarAttributes scalar)
        {
            return [ScalarBinary(node, g, scalar)];
        }

        var a = node.InputShapes[0];
        var b = node.InputShapes[1];
        Tensor? ga = null;
        Tensor? gb = null;
        switch (node.Kind)
        {
            case OpKind.Add:
                ga = node.Needs(0) ? GradMath.ReduceToShape(g, a) : null;
                gb = node.Needs(1) ? GradMath.ReduceToShape(g, b) : null;
                break;
            case OpKind.Sub:
                ga = node.Needs(0) ? GradMath.ReduceToShape(g, a) : null;
                if (node.Needs(1))
                {
                    using var minus = Ops.Neg(g);
                    gb = GradMath.ReduceToShape(minus, b);
                }

                break;
            case OpKind.Mul:
                if (node.Needs(0))
                {
                    using var product = g * node.Input(1);
                    ga = GradMath.ReduceToShape(product, a);
                }

                if (node.Needs(1))
                {
                    using var product = g * node.Input(0);
                    gb = GradMath.ReduceToShape(product, b);
                }

                break;
            case OpKind.Div:
                {
                    var divisor = node.Input(1);
                    if (node.Needs(0))
                    {
                        using var quotient = g / divisor;
                        ga = GradMath.ReduceToShape(quotient, a);
                    }

                    if (node.Needs(1))
                    {
                        // d(a/b)/db = -a/b².
                        using var numerator = Ops.Neg(g * node.Input(0));
                        using var quotient = numerator / (divisor * divisor);
                        gb = GradMath.ReduceToShape(quotient, b);
                    }

                    break;
                }

            case OpKind.Pow:
                {
                    var x = node.Input(0);
                    var p = node.Input(1);
                    if (node.Needs(0))
                    {
                        // p·x^(p-1), and 0 where p == 0 (as PyTorch, so 0^0 gives no NaN).
                        using var lower = Ops.Pow(x, p - 1.0);
                        using var slope = g * p * lower;
                        using var zeroExponent = Ops.Eq(p, 0);
                        using var masked = Ops.MaskedFill(slope, zeroExponent, 0);
                        ga = GradMath.ReduceToShape(masked, a);
                    }

                    if (node.Needs(1))
                    {
                        // y·ln x, and 0 where x == 0 and p >= 0 (PyTorch's convention).
                        using var log = Ops.Log(x);
                        using var slope = g * node.Output(0) * log;
                        using var zeroBase = Ops.Eq(x, 0);
                        using var nonNegative = Ops.Ge(p, 0);
                        using var both = Ops.LogicalAnd(zeroBase, nonNegative);
                        using var masked = Ops.MaskedFill(slope, both, 0);
                        gb = GradMath.ReduceToShape(masked, b);
                    }

                    break;
                }

            case OpKind.Maximum or OpKind.Minimum:
                {
                    // The larger (smaller) operand gets the gradient; ties split it in half, as PyTorch does.
                    var x = node.Input(0);
                    var y = node.Input(1);
                    var max = node.Kind == OpKind.Maximum;
                    using var tie = Ops.Eq(x, y);
                    using var halved = g * 0.5;
                    using var shared = Ops.Where(tie, halved, g);
                    if (node.Needs(0))
                    {
                        using var loses = max ? Ops.Lt(x, y) : Ops.Gt(x, y);
                        using var masked = Ops.MaskedFill(shared, loses, 0);
                        ga = GradMath.ReduceToShape(masked, a);
                    }

                    if (node.Needs(1))
                    {
                        using var loses = max ? Ops.Gt(x, y) : Ops.Lt(x, y);
                        using var masked = Ops.MaskedFill(shared, loses, 0);
                        gb = GradMath.ReduceToShape(masked, b);
                    }

                    break;
                }

            default:
                throw new InvalidOperationException($"Autograd: {node.Kind} is not a binary op.");
        }

        return [ga, gb];
    }

    private static Tensor ScalarBinary(OpGradFunction node, Tensor g, ScalarAttributes scalar)
    {
        var c = scalar.Value;
        switch (node.Kind)
        {
            case OpKind.Add:
                return g.Alias();
            case OpKind.Sub:
                return scalar.ScalarFirst ? Ops.Neg(g) : g.Alias();
            case OpKind.Mul:
                return g * c;
            case OpKind.Div when !scalar.ScalarFirst:
                return g / c;
            case OpKind.Div:
                {
                    // d(c/x)/dx = -c/x².
                    var x = node.Input(0);
                    using var square = x * x;
                    using var scaled = g * -c;
                    return scaled / square;
                }

            case OpKind.Pow when !scalar.ScalarFirst:
                {
                    var x = node.Input(0);
                    if (c == 0)
                    {
                        return Ops.Mul(g, 0.0);
                    }

                    using var lower = Ops.Pow(x, c - 1);
                    using var slope = lower * c;
                    return g * slope;
                }

            case OpKind.Pow:
                {
                    // d(c^x)/dx = c^x·ln c.
                    using var scaled = g * node.Output(0);
                    return scaled * Math.Log(c);
                }

            default:
                throw new InvalidOperationException($"Autograd: {node.Kind} with a scalar operand has no backward.");
        }
    }

    private static Tensor?[] WhereBackward(OpGradFunction node, Tensor g)
    {
        var condition = node.Input(0);
        Tensor? gx = null;
        Tensor? gy = null;
        if (node.Needs(1))
        {
            using var notCondition = Ops.LogicalNot(condition);
            using var masked = Ops.MaskedFill(g, notCondition, 0);
            gx = GradMath.ReduceToShape(masked, node.InputShapes[1]);
        }

        if (node.Needs(2))
        {
            using var masked = Ops.MaskedFill(g, condition, 0);
            gy = GradMath.ReduceToShape(masked, node.InputShapes[2]);
        }

        return [null, gx, gy];
    }
}
