using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Elementwise arithmetic, comparisons, math and activations, with NumPy/PyTorch broadcasting and type promotion.
public static partial class Ops
{
    /// <summary>a + b.</summary>
    public static Tensor Add(Tensor a, Tensor b, Tensor? output = null) => Binary(OpKind.Add, a, b, output);

    /// <summary>a + scalar.</summary>
    public static Tensor Add(Tensor a, double b, Tensor? output = null) => BinaryScalar(OpKind.Add, a, b, false, output);

    /// <summary>a - b.</summary>
    public static Tensor Sub(Tensor a, Tensor b, Tensor? output = null) => Binary(OpKind.Sub, a, b, output);

    /// <summary>a - scalar.</summary>
    public static Tensor Sub(Tensor a, double b, Tensor? output = null) => BinaryScalar(OpKind.Sub, a, b, false, output);

    /// <summary>scalar - b (torch.rsub).</summary>
    public static Tensor Sub(double a, Tensor b, Tensor? output = null) => BinaryScalar(OpKind.Sub, b, a, true, output);

    /// <summary>a · b.</summary>
    public static Tensor Mul(Tensor a, Tensor b, Tensor? output = null) => Binary(OpKind.Mul, a, b, output);

    /// <summary>a · scalar.</summary>
    public static Tensor Mul(Tensor a, double b, Tensor? output = null) => BinaryScalar(OpKind.Mul, a, b, false, output);

    /// <summary>a / b (true division: integers give float32).</summary>
    public static Tensor Div(Tensor a, Tensor b, Tensor? output = null) => Binary(OpKind.Div, a, b, output);

    /// <summary>a / scalar.</summary>
    public static Tensor Div(Tensor a, double b, Tensor? output = null) => BinaryScalar(OpKind.Div, a, b, false, output);

    /// <summary>scalar / b.</summary>
    public static Tensor Div(double a, Tensor b, Tensor? output = null) => BinaryScalar(OpKind.Div, b, a, true, output);

    /// <summary>a to the power b, elementwise.</summary>
    public static Tensor Pow(Tensor a, Tensor b, Tensor? output = null) => Binary(OpKind.Pow, a, b, output);

    /// <summary>a to the power of a scalar (2 is computed as a·a, 0.5 as sqrt, like PyTorch).</summary>
    public static Tensor Pow(Tensor a, double exponent, Tensor? output = null) => BinaryScalar(OpKind.Pow, a, exponent, false, output);

    /// <summary>Elementwise maximum (NaN propagates).</summary>
    public static Tensor Maximum(Tensor a, Tensor b, Tensor? output = null) => Binary(OpKind.Maximum, a, b, output);

    /// <summary>Elementwise minimum (NaN propagates).</summary>
    public static Tensor Minimum(Tensor a, Tensor b, Tensor? output = null) => Binary(OpKind.Minimum, a, b, output);

    /// <summary>a == b as bool.</summary>
    public static Tensor Eq(Tensor a, Tensor b) => Binary(OpKind.Eq, a, b, null);

    /// <summary>a == scalar as bool.</summary>
    public static Tensor Eq(Tensor a, double b) => BinaryScalar(OpKind.Eq, a, b, false, null);

    /// <summary>a != b as bool.</summary>
    public static Tensor Ne(Tensor a, Tensor b) => Binary(OpKind.Ne, a, b, null);

    /// <summary>a != scalar as bool.</summary>
    public static Tensor Ne(Tensor a, double b) => BinaryScalar(OpKind.Ne, a, b, false, null);

    /// <summary>a &lt; b as bool.</summary>
    public static Tensor Lt(Tensor a, Tensor b) => Binary(OpKind.Lt, a, b, null);

    /// <summary>a &lt; scalar as bool.</summary>
    public static Tensor Lt(Tensor a, double b) => BinaryScalar(OpKind.Lt, a, b, false, null);

    /// <summary>a &lt;= b as bool.</summary>
    public static Tensor Le(Tensor a, Tensor b) => Binary(OpKind.Le, a, b, null);

    /// <summary>a &lt;= scalar as bool.</summary>
    public static Tensor Le(Tensor a, double b) => BinaryScalar(OpKind.Le, a, b, false, null);

    /// <summary>a &gt; b as bool.</summary>
    public static Tensor Gt(Tensor a, Tensor b) => Binary(OpKind.Gt, a, b, null);

    /// <summary>a &gt; scalar as bool.</summary>
    public static Tensor Gt(Tensor a, double b) => BinaryScalar(OpKind.Gt, a, b, false, null);

    /// <summary>a &gt;= b as bool.</summary>
    public static Tensor Ge(Tensor a, Tensor b) => Binary(OpKind.Ge, a, b, null);

    /// <summary>a &gt;= scalar as bool.</summary>
    public static Tensor Ge(Tensor a, double b) => BinaryScalar(OpKind.Ge, a, b, false, null);

    /// <summary>Logical and of the truth values (non-zero is true).</summary>
    public static Tensor LogicalAnd(Tensor a, Tensor b) => Binary(OpKind.LogicalAnd, a, b, null);

    /// <summary>Logical or of the truth values.</summary>
    public static Tensor LogicalOr(Tensor a, Tensor b) => Binary(OpKind.LogicalOr, a, b, null);

    /// <summary>Logical not (zero becomes true).</summary>
    public static Tensor LogicalNot(Tensor x) => Unary(OpKind.LogicalNot, x, null, OpAttributes.None);

    /// <summary>self += other in place (other broadcast to self's shape); returns self.</summary>
    public static Tensor AddInPlace(Tensor self, Tensor other) => InPlace(OpKind.Add, self, other);

    /// <summary>self += scalar in place; returns self.</summary>
    public static Tensor AddInPlace(Tensor self, double other) => InPlaceScalar(OpKind.Add, self, other);

    /// <summary>self *= other in place (other broadcast to self's shape); returns self.</summary>
    public static Tensor MulInPlace(Tensor self, Tensor other) => InPlace(OpKind.Mul, self, other);

    /// <summary>self *= scalar in place; returns self.</summary>
    public static Tensor MulInPlace(Tensor self, double other) => InPlaceScalar(OpKind.Mul, self, other);

    /// <summary>torch.Tensor.copy_: writes <paramref name="source"/> (broadcast to the destination's shape, converted
    /// to its dtype) into <paramref name="destination"/>, which may be a strided view (a KV-cache slice). Returns
    /// the destination.</summary>
    public static Tensor CopyInto(Tensor destination, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(source);
        ShapeMath.BroadcastStrides(source.Shape, source.Strides, destination.Shape, nameof(CopyInto));
        RequireWritable(destination, nameof(CopyInto));
        Dispatcher.Execute(OpKind.Copy, [source], [destination], OpAttributes.None);
        return destination;
    }

    /// <summary>torch.Tensor.fill_: sets every element of <paramref name="destination"/>; returns it.</summary>
    public static Tensor FillInPlace(Tensor destination, double value)
    {
        ArgumentNullException.ThrowIfNull(destination);
        RequireWritable(destination, nameof(FillInPlace));
        Dispatcher.Execute(OpKind.Fill, [], [destination], new ScalarAttributes(value));
        return destination;
    }

    /// <summary>-x.</summary>
    public static Tensor Neg(Tensor x, Tensor? output = null) => Unary(OpKind.Neg, x, output, OpAttributes.None);

    /// <summary>|x|.</summary>
    public static Tensor Abs(Tensor x, Tensor? output = null) => Unary(OpKind.Abs, x, output, OpAttributes.None);

    /// <summary>e^x.</summary>
    public static Tensor Exp(Tensor x, Tensor? output = null) => Unary(OpKind.Exp, x, output, OpAttributes.None);

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x, Tensor? output = null) => Unary(OpKind.Log, x, output, OpAttributes.None);

    /// <summary>Square root.</summary>
    public static Tensor Sqrt(Tensor x, Tensor? output = null) => Unary(OpKind.Sqrt, x, output, OpAttributes.None);

    /// <summary>1/√x.</summary>
    public static Tensor Rsqrt(Tensor x, Tensor? output = null) => Unary(OpKind.Rsqrt, x, output, OpAttributes.None);

    /// <summary>Sine.</summary>
    public static Tensor Sin(Tensor x, Tensor? output = null) => Unary(OpKind.Sin, x, output, OpAttributes.None);

    /// <summary>Cosine.</summary>
    public static Tensor Cos(Tensor x, Tensor? output = null) => Unary(OpKind.Cos, x, output, OpAttributes.None);

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x, Tensor? output = null) => Unary(OpKind.Tanh, x, output, OpAttributes.None);

    /// <summary>1/(1+e^-x).</summary>
    public static Tensor Sigmoid(Tensor x, Tensor? output = null) => Unary(OpKind.Sigmoid, x, output, OpAttributes.None);

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x, Tensor? output = null) => Unary(OpKind.Relu, x, output, OpAttributes.None);

    /// <summary>GELU, exact (erf) by default or with the tanh approximation (F.gelu).</summary>
    public static Tensor Gelu(Tensor x, GeluApproximation approximate = GeluApproximation.None, Tensor? output = null) =>
        Unary(approximate == GeluApproximation.Tanh ? OpKind.GeluTanh : OpKind.Gelu, x, output, OpAttributes.None);

    /// <summary>x·sigmoid(1.702·x), the GELU approximation of OpenAI's CLIP.</summary>
    public static Tensor QuickGelu(Tensor x, Tensor? output = null) => Unary(OpKind.QuickGelu, x, output, OpAttributes.None);

    /// <summary>x·sigmoid(x) (SiLU / swish).</summary>
    public static Tensor Silu(Tensor x, Tensor? output = null) => Unary(OpKind.Silu, x, output, OpAttributes.None);

    /// <summary>1/x.</summary>
    public static Tensor Reciprocal(Tensor x, Tensor? output = null) => Unary(OpKind.Reciprocal, x, output, OpAttributes.None);

    /// <summary>Clamps to [min, max]; either bound may be null (NaN propagates).</summary>
    public static Tensor Clamp(Tensor x, double? min = null, double? max = null, Tensor? output = null)
    {
        if (min is null && max is null)
        {
            throw new ArgumentException("Clamp: at least one of min and max must be given.");
        }

        return Unary(OpKind.Clamp, x, output, new ClampAttributes(min, max));
    }

    /// <summary>torch.where: elements of x where condition is true, else of y (all three broadcast).</summary>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y, Tensor? output = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (condition.DType != DType.Bool)
        {
            throw new TensorDTypeException($"Where: the condition must be bool, got {condition.Describe()}.");
        }

        var shape = ShapeMath.Broadcast(ShapeMath.Broadcast(condition.Shape, x.Shape, nameof(Where)), y.Shape, nameof(Where));
        var result = Prepare(output, shape, DTypePromotion.Promote(x, y), x.Device, nameof(Where));
        return Run(OpKind.Where, [condition, x, y], result, OpAttributes.None, output);
    }

    /// <summary>torch.masked_fill: <paramref name="value"/> where mask is true (mask broadcast to x's shape).</summary>
    public static Tensor MaskedFill(Tensor x, Tensor mask, double value, Tensor? output = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.DType != DType.Bool)
        {
            throw new TensorDTypeException($"MaskedFill: the mask must be bool, got {mask.Describe()}.");
        }

        ShapeMath.BroadcastStrides(mask.Shape, mask.Strides, x.Shape, nameof(MaskedFill));
        var result = Prepare(output, x.Shape, x.DType, x.Device, nameof(MaskedFill));
        return Run(OpKind.MaskedFill, [x, mask], result, new ScalarAttributes(value), output);
    }

    private static Tensor Binary(OpKind kind, Tensor a, Tensor b, Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = ShapeMath.Broadcast(a.Shape, b.Shape, kind.ToString());
        var dtype = BinaryResultType(kind, DTypePromotion.Promote(a, b), a, b);
        var result = Prepare(output, shape, dtype, a.Device, kind.ToString());
        return Run(kind, [a, b], result, OpAttributes.None, output);
    }

    private static Tensor BinaryScalar(OpKind kind, Tensor a, double scalar, bool scalarFirst, Tensor? output)
    {
        ArgumentNullException.ThrowIfNull(a);
        var dtype = BinaryResultType(kind, DTypePromotion.Promote(a, scalar), a, null);
        var result = Prepare(output, a.Shape, dtype, a.Device, kind.ToString());
        return Run(kind, [a], result, new ScalarAttributes(scalar, scalarFirst), output);
    }

    private static DType BinaryResultType(OpKind kind, DType promoted, Tensor a, Tensor? b)
    {
        if (kind is OpKind.Eq or OpKind.Ne or OpKind.Lt or OpKind.Le or OpKind.Gt or OpKind.Ge or OpKind.LogicalAnd or OpKind.LogicalOr)
        {
            return DType.Bool;
        }

        if (promoted is DType.Float64 or DType.UInt8 or DType.Int8 or DType.Int16)
        {
            throw new TensorDTypeException(
                $"{kind}: {promoted.TorchName()} is a storage-only dtype; convert {a.Describe()}{(b is null ? string.Empty : $" and {b.Describe()}")} with To() first.");
        }

        if (kind == OpKind.Div && !promoted.IsFloatingPoint())
        {
            return DType.Float32;
        }

        return promoted;
    }

    private static Tensor InPlace(OpKind kind, Tensor self, Tensor other)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(other);
        ShapeMath.BroadcastStrides(other.Shape, other.Strides, self.Shape, kind + "InPlace");
        RequireWritable(self, kind + "InPlace");
        Dispatcher.Execute(kind, [self, other], [self], OpAttributes.None);
        return self;
    }

    private static Tensor InPlaceScalar(OpKind kind, Tensor self, double other)
    {
        ArgumentNullException.ThrowIfNull(self);
        RequireWritable(self, kind + "InPlace");
        Dispatcher.Execute(kind, [self], [self], new ScalarAttributes(other));
        return self;
    }

    private static Tensor Unary(OpKind kind, Tensor x, Tensor? output, OpAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(x);
        var dtype = kind switch
        {
            OpKind.LogicalNot => DType.Bool,
            OpKind.Neg or OpKind.Abs or OpKind.Relu or OpKind.Clamp when !x.DType.IsFloatingPoint() => x.DType,
            _ when x.DType.IsFloatingPoint() => x.DType,
            _ => DType.Float32,
        };
        if (x.DType is DType.Float64 or DType.UInt8 or DType.Int8 or DType.Int16 && kind != OpKind.LogicalNot)
        {
            throw new TensorDTypeException($"{kind}: {x.DType.TorchName()} is a storage-only dtype; convert {x.Describe()} with To() first.");
        }

        if (x.DType == DType.Bool && kind is OpKind.Neg or OpKind.Abs or OpKind.Relu or OpKind.Clamp)
        {
            throw new TensorDTypeException($"{kind}: not defined for bool tensors ({x.Describe()}).");
        }

        var result = Prepare(output, x.Shape, dtype, x.Device, kind.ToString());
        return Run(kind, [x], result, attributes, output);
    }
}
