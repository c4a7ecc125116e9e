using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Fast elementwise ops for float outputs: each chunk is read as float32 (straight from memory when the operand is
/// a contiguous float32 run, converted into scratch otherwise), computed with System.Numerics.Tensors primitives,
/// and written back with one rounding. Integer and bool outputs are left to the reference kernels (they are small:
/// masks and positions). Each Try* returns false when it does not handle the case.
/// </summary>
internal static unsafe class ElementwiseKernels
{
    private static bool IsFloat(DType dtype) => dtype is DType.Float32 or DType.Float16 or DType.BFloat16;

    public static bool TryCopy(Tensor source, Tensor destination)
    {
        if (source.DType == destination.DType && source.IsContiguous && destination.IsContiguous
            && source.Shape.SequenceEqual(destination.Shape))
        {
            var bytes = source.NumElements * source.DType.SizeOf();
            var from = (byte*)source.DataPointer;
            var to = (byte*)destination.DataPointer;
            const long Block = 1 << 20;
            CpuParallel.For((bytes + Block - 1) / Block, Block / 8.0, (start, end) =>
            {
                var offset = start * Block;
                var length = Math.Min(end * Block, bytes) - offset;
                Buffer.MemoryCopy(from + offset, to + offset, length, length);
            });
            return true;
        }

        if (source.DType == destination.DType && source.DType.SizeOf() is 2 or 4 or 8)
        {
            CopySameType(source, destination);
            return true;
        }

        if (!IsFloat(destination.DType) || !DTypeConvert.Handles(source.DType))
        {
            return false;
        }

        var layout = ElementwiseLayout.Create(destination.Shape, [destination, source]);
        var strides = layout.InnerStrides;
        layout.ForEachChunk(2, (offsets, count) =>
        {
            var buffer = Scratch.Row(0, count);
            DTypeConvert.Load(At(source, offsets[1]), source.DType, strides[1], buffer);
            DTypeConvert.Store(buffer, At(destination, offsets[0]), destination.DType, strides[0]);
        });
        return true;
    }

    public static bool TryFill(Tensor destination, double value)
    {
        if (!destination.IsContiguous)
        {
            return false;
        }

        var count = destination.NumElements;
        var pointer = (void*)destination.DataPointer;
        if (count > int.MaxValue)
        {
            return false;
        }

        switch (destination.DType)
        {
            case DType.Float32:
                new Span<float>(pointer, (int)count).Fill((float)value);
                return true;
            case DType.Float16:
                new Span<Half>(pointer, (int)count).Fill((Half)(float)value);
                return true;
            case DType.BFloat16:
                new Span<ushort>(pointer, (int)count).Fill(BFloat16.RoundToBits((float)value));
                return true;
            default:
                return false;
        }
    }

    public static bool TryUnary(OpKind kind, Tensor x, Tensor y, OpAttributes attributes)
    {
        if (!IsFloat(y.DType) || !DTypeConvert.Handles(x.DType) || kind == OpKind.LogicalNot)
        {
            return false;
        }

        var layout = ElementwiseLayout.Create(y.Shape, [y, x]);
        var strides = layout.InnerStrides;
        var clamp = attributes as ClampAttributes;
        layout.ForEachChunk(8, (offsets, count) =>
        {
            var input = Read(x, offsets[1], strides[1], count, 0);
            var output = Writable(y, offsets[0], strides[0], count, 1);
            ApplyUnary(kind, input, output, clamp);
            Finish(y, offsets[0], strides[0], output);
        });
        return true;
    }

    public static bool TryBinary(OpKind kind, ReadOnlySpan<Tensor> inputs, Tensor output, OpAttributes attributes)
    {
        if (!IsFloat(output.DType) || kind is not (OpKind.Add or OpKind.Sub or OpKind.Mul or OpKind.Div or OpKind.Pow or OpKind.Maximum or OpKind.Minimum))
        {
            return false;
        }

        foreach (var input in inputs)
        {
            if (!DTypeConvert.Handles(input.DType))
            {
                return false;
            }
        }

        var a = inputs[0];
        if (attributes is ScalarAttributes scalar)
        {
            var layout = ElementwiseLayout.Create(output.Shape, [output, a]);
            var strides = layout.InnerStrides;
            var value = (float)scalar.Value;
            layout.ForEachChunk(4, (offsets, count) =>
            {
                var x = Read(a, offsets[1], strides[1], count, 0);
                var result = Writable(output, offsets[0], strides[0], count, 1);
                if (scalar.ScalarFirst)
                {
                    ScalarFirst(kind, value, x, result);
                }
                else
                {
                    ScalarSecond(kind, x, scalar.Value, result);
                }

                Finish(output, offsets[0], strides[0], result);
            });
            return true;
        }

        var b = inputs[1];
        var both = ElementwiseLayout.Create(output.Shape, [output, a, b]);
        var innerStrides = both.InnerStrides;
        both.ForEachChunk(4, (offsets, count) =>
        {
            var result = Writable(output, offsets[0], innerStrides[0], count, 2);
            if (innerStrides[2] == 0)
            {
                ScalarSecond(kind, Read(a, offsets[1], innerStrides[1], count, 0), DTypeConvert.LoadOne(At(b, offsets[2]), b.DType), result);
            }
            else if (innerStrides[1] == 0)
            {
                ScalarFirst(kind, DTypeConvert.LoadOne(At(a, offsets[1]), a.DType), Read(b, offsets[2], innerStrides[2], count, 1), result);
            }
            else
            {
                Pairwise(kind, Read(a, offsets[1], innerStrides[1], count, 0), Read(b, offsets[2], innerStrides[2], count, 1), result);
            }

            Finish(output, offsets[0], innerStrides[0], result);
        });
        return true;
    }

    public static bool TryWhere(Tensor condition, Tensor x, Tensor y, Tensor output)
    {
        if (!IsFloat(output.DType) || !DTypeConvert.Handles(x.DType) || !DTypeConvert.Handles(y.DType))
        {
            return false;
        }

        var layout = ElementwiseLayout.Create(output.Shape, [output, condition, x, y]);
        var strides = layout.InnerStrides;
        layout.ForEachChunk(3, (offsets, count) =>
        {
            var mask = At(condition, offsets[1]);
            var a = Read(x, offsets[2], strides[2], count, 0);
            var b = Read(y, offsets[3], strides[3], count, 1);
            var result = Writable(output, offsets[0], strides[0], count, 2);
            for (var i = 0; i < count; i++)
            {
                result[i] = mask[i * strides[1]] != 0 ? a[i] : b[i];
            }

            Finish(output, offsets[0], strides[0], result);
        });
        return true;
    }

    public static bool TryMaskedFill(Tensor x, Tensor mask, double value, Tensor output)
    {
        if (!IsFloat(output.DType) || !IsFloat(x.DType))
        {
            return false;
        }

        var layout = ElementwiseLayout.Create(output.Shape, [output, x, mask]);
        var strides = layout.InnerStrides;
        var fill = (float)value;
        layout.ForEachChunk(2, (offsets, count) =>
        {
            var source = Read(x, offsets[1], strides[1], count, 0);
            var bits = At(mask, offsets[2]);
            var result = Writable(output, offsets[0], strides[0], count, 1);
            for (var i = 0; i < count; i++)
            {
                result[i] = bits[i * strides[2]] != 0 ? fill : source[i];
            }

            Finish(output, offsets[0], strides[0], result);
        });
        return true;
    }

    /// <summary>Address of the element at <paramref name="offset"/> (elements from the tensor's data pointer).</summary>
    public static byte* At(Tensor tensor, long offset) => (byte*)tensor.DataPointer + (offset * tensor.DType.SizeOf());

    /// <summary>A chunk of an operand as floats: the memory itself for contiguous float32, else a converted copy.</summary>
    private static ReadOnlySpan<float> Read(Tensor tensor, long offset, long stride, int count, int slot)
    {
        if (tensor.DType == DType.Float32 && stride == 1)
        {
            return new ReadOnlySpan<float>(At(tensor, offset), count);
        }

        var buffer = Scratch.Row(slot, count);
        DTypeConvert.Load(At(tensor, offset), tensor.DType, stride, buffer);
        return buffer;
    }

    /// <summary>Where to compute a chunk of the output: the memory itself for contiguous float32, else scratch.</summary>
    private static Span<float> Writable(Tensor tensor, long offset, long stride, int count, int slot) =>
        tensor.DType == DType.Float32 && stride == 1 ? new Span<float>(At(tensor, offset), count) : Scratch.Row(slot + 1, count);

    private static void Finish(Tensor tensor, long offset, long stride, Span<float> result)
    {
        if (!(tensor.DType == DType.Float32 && stride == 1))
        {
            DTypeConvert.Store(result, At(tensor, offset), tensor.DType, stride);
        }
    }

    private static void ApplyUnary(OpKind kind, ReadOnlySpan<float> x, Span<float> y, ClampAttributes? clamp)
    {
        switch (kind)
        {
            case OpKind.Neg:
                TensorPrimitives.Negate(x, y);
                break;
            case OpKind.Abs:
                TensorPrimitives.Abs(x, y);
                break;
            case OpKind.Exp:
                ActivationMath.Exp(x, y);
                break;
            case OpKind.Log:
                TensorPrimitives.Log(x, y);
                break;
            case OpKind.Sqrt:
                TensorPrimitives.Sqrt(x, y);
                break;
            case OpKind.Rsqrt:
                TensorPrimitives.ReciprocalSqrt(x, y);
                break;
            case OpKind.Sin:
                TensorPrimitives.Sin(x, y);
                break;
            case OpKind.Cos:
                TensorPrimitives.Cos(x, y);
                break;
            case OpKind.Tanh:
                TensorPrimitives.Tanh(x, y);
                break;
            case OpKind.Sigmoid:
                ActivationMath.Sigmoid(x, y);
                break;
            case OpKind.Relu:
                TensorPrimitives.Max(x, 0f, y);
                break;
            case OpKind.Reciprocal:
                TensorPrimitives.Reciprocal(x, y);
                break;
            case OpKind.Gelu:
                ActivationMath.Gelu(x, y);
                break;
            case OpKind.GeluTanh:
                ActivationMath.GeluTanh(x, y);
                break;
            case OpKind.QuickGelu:
                ActivationMath.ScaledSilu(x, y, 1.702f);
                break;
            case OpKind.Silu:
                ActivationMath.ScaledSilu(x, y, 1f);
                break;
            case OpKind.Clamp:
                if (clamp!.Min is { } min)
                {
                    TensorPrimitives.Max(x, (float)min, y);
                    x = y;
                }

                if (clamp.Max is { } max)
                {
                    TensorPrimitives.Min(x, (float)max, y);
                }

                break;
            default:
                throw new NotSupportedException($"{kind} is not a unary float op.");
        }
    }

    private static void Pairwise(OpKind kind, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (kind)
        {
            case OpKind.Add:
                TensorPrimitives.Add(a, b, y);
                break;
            case OpKind.Sub:
                TensorPrimitives.Subtract(a, b, y);
                break;
            case OpKind.Mul:
                TensorPrimitives.Multiply(a, b, y);
                break;
            case OpKind.Div:
                TensorPrimitives.Divide(a, b, y);
                break;
            case OpKind.Pow:
                TensorPrimitives.Pow(a, b, y);
                break;
            case OpKind.Maximum:
                TensorPrimitives.Max(a, b, y);
                break;
            case OpKind.Minimum:
                TensorPrimitives.Min(a, b, y);
                break;
            default:
                throw new NotSupportedException($"{kind} is not a binary float op.");
        }
    }

    /// <summary>x op s. Integer powers and ±0.5 follow PyTorch's special cases (x·x, x·x·x, sqrt, rsqrt, 1/x).</summary>
    private static void ScalarSecond(OpKind kind, ReadOnlySpan<float> x, double scalar, Span<float> y)
    {
        var s = (float)scalar;
        switch (kind)
        {
            case OpKind.Add:
                TensorPrimitives.Add(x, s, y);
                break;
            case OpKind.Sub:
                TensorPrimitives.Subtract(x, s, y);
                break;
            case OpKind.Mul:
                TensorPrimitives.Multiply(x, s, y);
                break;
            case OpKind.Div:
                TensorPrimitives.Divide(x, s, y);
                break;
            case OpKind.Maximum:
                TensorPrimitives.Max(x, s, y);
                break;
            case OpKind.Minimum:
                TensorPrimitives.Min(x, s, y);
                break;
            case OpKind.Pow:
                switch (scalar)
                {
                    case 1:
                        x.CopyTo(y);
                        break;
                    case 2:
                        TensorPrimitives.Multiply(x, x, y);
                        break;
                    case 3:
                        TensorPrimitives.Multiply(x, x, y);
                        TensorPrimitives.Multiply(y, x, y);
                        break;
                    case 0.5:
                        TensorPrimitives.Sqrt(x, y);
                        break;
                    case -0.5:
                        TensorPrimitives.ReciprocalSqrt(x, y);
                        break;
                    case -1:
                        TensorPrimitives.Reciprocal(x, y);
                        break;
                    case -2:
                        TensorPrimitives.Multiply(x, x, y);
                        TensorPrimitives.Reciprocal(y, y);
                        break;
                    default:
                        TensorPrimitives.Pow(x, s, y);
                        break;
                }

                break;
            default:
                throw new NotSupportedException($"{kind} is not a binary float op.");
        }
    }

    /// <summary>s op x.</summary>
    private static void ScalarFirst(OpKind kind, float s, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (kind)
        {
            case OpKind.Sub:
                TensorPrimitives.Subtract(s, x, y);
                break;
            case OpKind.Div:
                TensorPrimitives.Divide(s, x, y);
                break;
            case OpKind.Pow:
                TensorPrimitives.Pow(s, x, y);
                break;
            default:
                // Commutative ops.
                ScalarSecond(kind, x, s, y);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopySameType(Tensor source, Tensor destination)
    {
        var layout = ElementwiseLayout.Create(destination.Shape, [destination, source]);
        var strides = layout.InnerStrides;
        var size = source.DType.SizeOf();
        layout.ForEachChunk(1, (offsets, count) =>
        {
            var to = At(destination, offsets[0]);
            var from = At(source, offsets[1]);
            long ds = strides[0], ss = strides[1];
            switch (size)
            {
                case 2:
                    for (var i = 0; i < count; i++)
                    {
                        ((ushort*)to)[i * ds] = ((ushort*)from)[i * ss];
                    }

                    break;
                case 4:
                    for (var i = 0; i < count; i++)
                    {
                        ((uint*)to)[i * ds] = ((uint*)from)[i * ss];
                    }

                    break;
                default:
                    for (var i = 0; i < count; i++)
                    {
                        ((ulong*)to)[i * ds] = ((ulong*)from)[i * ss];
                    }

                    break;
            }
        });
    }
}
