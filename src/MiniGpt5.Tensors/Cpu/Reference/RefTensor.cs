using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors.Cpu.Reference;

/// <summary>
/// Element access for the reference kernels: read a whole (possibly strided or broadcast) tensor into an array in
/// row-major order, compute with plain loops, and write an array back. Slow on purpose; obviously correct.
/// Floats are read as double; integers and bools as long, so int64 values survive exactly.
/// </summary>
internal static unsafe class RefTensor
{
    /// <summary>Offsets (in elements, from <see cref="Tensor.DataPointer"/>) of every element in row-major order,
    /// reading the tensor as if broadcast to <paramref name="shape"/>.</summary>
    public static long[] Offsets(Tensor tensor, ReadOnlySpan<int> shape)
    {
        var strides = ShapeMath.BroadcastStrides(tensor.Shape, tensor.Strides, shape, "reference");
        var count = ShapeMath.NumElements(shape);
        var offsets = new long[count];
        var index = new int[shape.Length];
        long offset = 0;
        for (long i = 0; i < count; i++)
        {
            offsets[i] = offset;
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                index[d]++;
                offset += strides[d];
                if (index[d] < shape[d])
                {
                    break;
                }

                offset -= strides[d] * shape[d];
                index[d] = 0;
            }
        }

        return offsets;
    }

    public static long[] Offsets(Tensor tensor) => Offsets(tensor, tensor.Shape);

    public static double[] ReadDouble(Tensor tensor) => ReadDouble(tensor, tensor.Shape);

    public static double[] ReadDouble(Tensor tensor, ReadOnlySpan<int> shape)
    {
        var offsets = Offsets(tensor, shape);
        var values = new double[offsets.Length];
        var basePointer = (byte*)tensor.DataPointer;
        var size = tensor.DType.SizeOf();
        for (var i = 0; i < offsets.Length; i++)
        {
            values[i] = LoadDouble(basePointer + (offsets[i] * size), tensor.DType);
        }

        return values;
    }

    public static long[] ReadLong(Tensor tensor) => ReadLong(tensor, tensor.Shape);

    public static long[] ReadLong(Tensor tensor, ReadOnlySpan<int> shape)
    {
        var offsets = Offsets(tensor, shape);
        var values = new long[offsets.Length];
        var basePointer = (byte*)tensor.DataPointer;
        var size = tensor.DType.SizeOf();
        for (var i = 0; i < offsets.Length; i++)
        {
            values[i] = LoadLong(basePointer + (offsets[i] * size), tensor.DType);
        }

        return values;
    }

    public static void Write(Tensor tensor, ReadOnlySpan<double> values)
    {
        var offsets = Offsets(tensor);
        var basePointer = (byte*)tensor.DataPointer;
        var size = tensor.DType.SizeOf();
        for (var i = 0; i < offsets.Length; i++)
        {
            StoreDouble(basePointer + (offsets[i] * size), tensor.DType, values[i]);
        }
    }

    public static void Write(Tensor tensor, ReadOnlySpan<long> values)
    {
        var offsets = Offsets(tensor);
        var basePointer = (byte*)tensor.DataPointer;
        var size = tensor.DType.SizeOf();
        for (var i = 0; i < offsets.Length; i++)
        {
            StoreLong(basePointer + (offsets[i] * size), tensor.DType, values[i]);
        }
    }

    /// <summary>True for dtypes read as long (integers and bool).</summary>
    public static bool IsIntegral(DType dtype) => !dtype.IsFloatingPoint();

    /// <summary>Rounds a double the way an op computing in float32 and storing <paramref name="dtype"/> would.</summary>
    public static double RoundTo(DType dtype, double value) => dtype switch
    {
        DType.Float32 => (float)value,
        DType.Float16 => (float)(Half)(float)value,
        DType.BFloat16 => BFloat16.BitsToSingle(BFloat16.RoundToBits((float)value)),
        _ => value,
    };

    public static double LoadDouble(byte* pointer, DType dtype) => dtype switch
    {
        DType.Float32 => *(float*)pointer,
        DType.Float16 => (float)*(Half*)pointer,
        DType.BFloat16 => BFloat16.BitsToSingle(*(ushort*)pointer),
        DType.Float64 => *(double*)pointer,
        _ => LoadLong(pointer, dtype),
    };

    public static long LoadLong(byte* pointer, DType dtype) => dtype switch
    {
        DType.Int32 => *(int*)pointer,
        DType.Int64 => *(long*)pointer,
        DType.Bool => *pointer != 0 ? 1 : 0,
        DType.UInt8 => *pointer,
        DType.Int8 => *(sbyte*)pointer,
        DType.Int16 => *(short*)pointer,
        _ => (long)LoadDouble(pointer, dtype),
    };

    public static void StoreDouble(byte* pointer, DType dtype, double value)
    {
        switch (dtype)
        {
            case DType.Float32:
                *(float*)pointer = (float)value;
                break;
            case DType.Float16:
                *(Half*)pointer = (Half)(float)value;
                break;
            case DType.BFloat16:
                *(ushort*)pointer = BFloat16.RoundToBits((float)value);
                break;
            case DType.Float64:
                *(double*)pointer = value;
                break;
            case DType.Bool:
                *pointer = value != 0 ? (byte)1 : (byte)0;
                break;
            default:
                // Float to integer truncates toward zero, as a C cast (and PyTorch) does.
                StoreLong(pointer, dtype, double.IsNaN(value) ? 0 : (long)Math.Truncate(value));
                break;
        }
    }

    public static void StoreLong(byte* pointer, DType dtype, long value)
    {
        switch (dtype)
        {
            case DType.Int32:
                *(int*)pointer = unchecked((int)value);
                break;
            case DType.Int64:
                *(long*)pointer = value;
                break;
            case DType.Bool:
                *pointer = value != 0 ? (byte)1 : (byte)0;
                break;
            case DType.UInt8:
                *pointer = unchecked((byte)value);
                break;
            case DType.Int8:
                *(sbyte*)pointer = unchecked((sbyte)value);
                break;
            case DType.Int16:
                *(short*)pointer = unchecked((short)value);
                break;
            default:
                StoreDouble(pointer, dtype, value);
                break;
        }
    }
}
