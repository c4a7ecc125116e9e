using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>Copy, fill, unary and binary elementwise ops, where and masked_fill: plain loops in double (long for
/// integers), one rounding to the output dtype.</summary>
internal static class ReferenceElementwise
{
    public static void Copy(Tensor source, Tensor destination)
    {
        if (RefTensor.IsIntegral(source.DType))
        {
            RefTensor.Write(destination, RefTensor.ReadLong(source, destination.Shape));
        }
        else
        {
            RefTensor.Write(destination, RefTensor.ReadDouble(source, destination.Shape));
        }
    }

    public static void Fill(Tensor destination, double value)
    {
        var count = destination.NumElements;
        if (RefTensor.IsIntegral(destination.DType))
        {
            var fill = destination.DType == DType.Bool ? (value != 0 ? 1L : 0L) : (long)value;
            RefTensor.Write(destination, Enumerable.Repeat(fill, (int)count).ToArray());
        }
        else
        {
            RefTensor.Write(destination, Enumerable.Repeat(value, (int)count).ToArray());
        }
    }

    public static void Unary(OpKind kind, Tensor x, Tensor y, OpAttributes attributes)
    {
        if (kind == OpKind.LogicalNot)
        {
            var values = RefTensor.ReadDouble(x);
            RefTensor.Write(y, values.Select(v => v == 0 ? 1L : 0L).ToArray());
            return;
        }

        if (RefTensor.IsIntegral(y.DType))
        {
            var values = RefTensor.ReadLong(x);
            var clamp = attributes as ClampAttributes;
            RefTensor.Write(y, values.Select(v => UnaryLong(kind, v, clamp)).ToArray());
            return;
        }

        var inputs = RefTensor.ReadDouble(x);
        var bounds = attributes as ClampAttributes;
        var outputs = new double[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            outputs[i] = UnaryDouble(kind, inputs[i], bounds);
        }

        RefTensor.Write(y, outputs);
    }

    public static void Binary(OpKind kind, ReadOnlySpan<Tensor> inputs, Tensor output, OpAttributes attributes)
    {
        var scalar = attributes as ScalarAttributes;
        var a = inputs[0];
        var computeIntegral = RefTensor.IsIntegral(output.DType) && !IsComparison(kind)
            || IsComparison(kind) && RefTensor.IsIntegral(a.DType) && (scalar is null ? RefTensor.IsIntegral(inputs[1].DType) : scalar.Value == Math.Floor(scalar.Value));
        if (kind is OpKind.LogicalAnd or OpKind.LogicalOr)
        {
            var left = RefTensor.ReadDouble(a, output.Shape);
            var right = scalar is null ? RefTensor.ReadDouble(inputs[1], output.Shape) : null;
            var result = new long[left.Length];
            for (var i = 0; i < left.Length; i++)
            {
                var l = left[i] != 0;
                var r = right is null ? scalar!.Value != 0 : right[i] != 0;
                result[i] = (kind == OpKind.LogicalAnd ? l && r : l || r) ? 1 : 0;
            }

            RefTensor.Write(output, result);
            return;
        }

        if (computeIntegral)
        {
            var left = RefTensor.ReadLong(a, output.Shape);
            var right = scalar is null ? RefTensor.ReadLong(inputs[1], output.Shape) : null;
            var result = new long[left.Length];
            for (var i = 0; i < left.Length; i++)
            {
                var l = left[i];
                var r = right is null ? (long)scalar!.Value : right[i];
                if (scalar is { ScalarFirst: true })
                {
                    (l, r) = (r, l);
                }

                result[i] = BinaryLong(kind, l, r);
            }

            RefTensor.Write(output, result);
        }
        else
        {
            var left = RefTensor.ReadDouble(a, output.Shape);
            var right = scalar is null ? RefTensor.ReadDouble(inputs[1], output.Shape) : null;
            var result = new double[left.Length];
            for (var i = 0; i < left.Length; i++)
            {
                var l = left[i];
                var r = right is null ? scalar!.Value : right[i];
                if (scalar is { ScalarFirst: true })
                {
                    (l, r) = (r, l);
                }

                result[i] = BinaryDouble(kind, l, r);
            }

            RefTensor.Write(output, result);
        }
    }

    public static void Where(Tensor condition, Tensor x, Tensor y, Tensor output)
    {
        var mask = RefTensor.ReadLong(condition, output.Shape);
        if (RefTensor.IsIntegral(output.DType))
        {
            var a = RefTensor.ReadLong(x, output.Shape);
            var b = RefTensor.ReadLong(y, output.Shape);
            RefTensor.Write(output, mask.Select((m, i) => m != 0 ? a[i] : b[i]).ToArray());
        }
        else
        {
            var a = RefTensor.ReadDouble(x, output.Shape);
            var b = RefTensor.ReadDouble(y, output.Shape);
            RefTensor.Write(output, mask.Select((m, i) => m != 0 ? a[i] : b[i]).ToArray());
        }
    }

    public static void MaskedFill(Tensor x, Tensor mask, double value, Tensor output)
    {
        var m = RefTensor.ReadLong(mask, output.Shape);
        if (RefTensor.IsIntegral(output.DType))
        {
            var a = RefTensor.ReadLong(x, output.Shape);
            RefTensor.Write(output, m.Select((bit, i) => bit != 0 ? (long)value : a[i]).ToArray());
        }
        else
        {
            var a = RefTensor.ReadDouble(x, output.Shape);
            RefTensor.Write(output, m.Select((bit, i) => bit != 0 ? value : a[i]).ToArray());
        }
    }

    public static bool IsComparison(OpKind kind) => kind is OpKind.Eq or OpKind.Ne or OpKind.Lt or OpKind.Le or OpKind.Gt or OpKind.Ge;

    private static double UnaryDouble(OpKind kind, double v, ClampAttributes? bounds) => kind switch
    {
        OpKind.Neg => -v,
        OpKind.Abs => Math.Abs(v),
        OpKind.Exp => Math.Exp(v),
        OpKind.Log => Math.Log(v),
        OpKind.Sqrt => Math.Sqrt(v),
        OpKind.Rsqrt => 1 / Math.Sqrt(v),
        OpKind.Sin => Math.Sin(v),
        OpKind.Cos => Math.Cos(v),
        OpKind.Tanh => Math.Tanh(v),
        OpKind.Sigmoid => ReferenceMath.Sigmoid(v),
        OpKind.Relu => double.IsNaN(v) ? v : Math.Max(v, 0),
        OpKind.Gelu => ReferenceMath.Gelu(v),
        OpKind.GeluTanh => ReferenceMath.GeluTanh(v),
        OpKind.QuickGelu => v * ReferenceMath.Sigmoid(1.702 * v),
        OpKind.Silu => v * ReferenceMath.Sigmoid(v),
        OpKind.Reciprocal => 1 / v,
        OpKind.Clamp => Clamp(v, bounds!),
        _ => throw new NotSupportedException($"{kind} is not a unary op."),
    };

    private static double Clamp(double v, ClampAttributes bounds)
    {
        if (bounds.Min is { } min)
        {
            v = ReferenceMath.MaxNaN(v, min);
        }

        if (bounds.Max is { } max)
        {
            v = ReferenceMath.MinNaN(v, max);
        }

        return v;
    }

    private static long UnaryLong(OpKind kind, long v, ClampAttributes? bounds) => kind switch
    {
        OpKind.Neg => -v,
        OpKind.Abs => Math.Abs(v),
        OpKind.Relu => Math.Max(v, 0),
        OpKind.Clamp => (long)Clamp(v, bounds!),
        _ => throw new NotSupportedException($"{kind} has no integer form."),
    };

    private static double BinaryDouble(OpKind kind, double l, double r) => kind switch
    {
        OpKind.Add => l + r,
        OpKind.Sub => l - r,
        OpKind.Mul => l * r,
        OpKind.Div => l / r,
        OpKind.Pow => Math.Pow(l, r),
        OpKind.Maximum => ReferenceMath.MaxNaN(l, r),
        OpKind.Minimum => ReferenceMath.MinNaN(l, r),
        OpKind.Eq => l == r ? 1 : 0,
        OpKind.Ne => l != r ? 1 : 0,
        OpKind.Lt => l < r ? 1 : 0,
        OpKind.Le => l <= r ? 1 : 0,
        OpKind.Gt => l > r ? 1 : 0,
        OpKind.Ge => l >= r ? 1 : 0,
        _ => throw new NotSupportedException($"{kind} is not a binary op."),
    };

    private static long BinaryLong(OpKind kind, long l, long r) => kind switch
    {
        OpKind.Add => l + r,
        OpKind.Sub => l - r,
        OpKind.Mul => l * r,
        OpKind.Div => r == 0 ? throw new DivideByZeroException("Integer division by zero.") : l / r,
        OpKind.Pow => (long)Math.Pow(l, r),
        OpKind.Maximum => Math.Max(l, r),
        OpKind.Minimum => Math.Min(l, r),
        OpKind.Eq => l == r ? 1 : 0,
        OpKind.Ne => l != r ? 1 : 0,
        OpKind.Lt => l < r ? 1 : 0,
        OpKind.Le => l <= r ? 1 : 0,
        OpKind.Gt => l > r ? 1 : 0,
        OpKind.Ge => l >= r ? 1 : 0,
        _ => throw new NotSupportedException($"{kind} is not a binary op."),
    };
}
