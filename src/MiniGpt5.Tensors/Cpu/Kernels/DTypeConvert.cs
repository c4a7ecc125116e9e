using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Moves runs of elements between tensors of any compute dtype and float32 scratch rows: contiguous float16 and
/// bfloat16 runs are converted with SIMD; other layouts element by element. Rounding to half precision is
/// round-to-nearest-even (bfloat16 NaN becomes 0x7FC0).
/// </summary>
internal static unsafe class DTypeConvert
{
    /// <summary>True for dtypes these routines read and write (floats, int32/int64 and bool).</summary>
    public static bool Handles(DType dtype) =>
        dtype is DType.Float32 or DType.Float16 or DType.BFloat16 or DType.Int32 or DType.Int64 or DType.Bool;

    /// <summary>Reads destination.Length elements from <paramref name="source"/> (stride in elements) as float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Load(byte* source, DType dtype, long stride, Span<float> destination)
    {
        var count = destination.Length;
        if (stride == 1)
        {
            switch (dtype)
            {
                case DType.Float32:
                    new ReadOnlySpan<float>(source, count).CopyTo(destination);
                    return;
                case DType.Float16:
                    TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(source, count), destination);
                    return;
                case DType.BFloat16:
                    fixed (float* d = destination)
                    {
                        BFloat16ToSingle((ushort*)source, d, count);
                    }

                    return;
            }
        }

        if (stride == 0)
        {
            destination.Fill(LoadOne(source, dtype));
            return;
        }

        switch (dtype)
        {
            case DType.Float32:
                for (var i = 0; i < count; i++)
                {
                    destination[i] = ((float*)source)[i * stride];
                }

                break;
            case DType.Float16:
                for (var i = 0; i < count; i++)
                {
                    destination[i] = (float)((Half*)source)[i * stride];
                }

                break;
            case DType.BFloat16:
                for (var i = 0; i < count; i++)
                {
                    destination[i] = BFloat16.BitsToSingle(((ushort*)source)[i * stride]);
                }

                break;
            default:
                var size = dtype.SizeOf();
                for (var i = 0; i < count; i++)
                {
                    destination[i] = LoadOne(source + (i * stride * size), dtype);
                }

                break;
        }
    }

    /// <summary>Writes <paramref name="values"/> to <paramref name="destination"/> (stride in elements), rounding to the dtype.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Store(ReadOnlySpan<float> values, byte* destination, DType dtype, long stride)
    {
        var count = values.Length;
        if (stride == 1)
        {
            switch (dtype)
            {
                case DType.Float32:
                    values.CopyTo(new Span<float>(destination, count));
                    return;
                case DType.Float16:
                    TensorPrimitives.ConvertToHalf(values, new Span<Half>(destination, count));
                    return;
                case DType.BFloat16:
                    fixed (float* s = values)
                    {
                        SingleToBFloat16(s, (ushort*)destination, count);
                    }

                    return;
            }
        }

        switch (dtype)
        {
            case DType.Float32:
                for (var i = 0; i < count; i++)
                {
                    ((float*)destination)[i * stride] = values[i];
                }

                break;
            case DType.Float16:
                for (var i = 0; i < count; i++)
                {
                    ((Half*)destination)[i * stride] = (Half)values[i];
                }

                break;
            case DType.BFloat16:
                for (var i = 0; i < count; i++)
                {
                    ((ushort*)destination)[i * stride] = BFloat16.RoundToBits(values[i]);
                }

                break;
            default:
                var size = dtype.SizeOf();
                for (var i = 0; i < count; i++)
                {
                    StoreOne(destination + (i * stride * size), dtype, values[i]);
                }

                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadOne(byte* source, DType dtype) => dtype switch
    {
        DType.Float32 => *(float*)source,
        DType.Float16 => (float)*(Half*)source,
        DType.BFloat16 => BFloat16.BitsToSingle(*(ushort*)source),
        DType.Int32 => *(int*)source,
        DType.Int64 => *(long*)source,
        DType.Bool => *source != 0 ? 1f : 0f,
        _ => throw new NotSupportedException($"Cannot read {dtype} as float."),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreOne(byte* destination, DType dtype, float value)
    {
        switch (dtype)
        {
            case DType.Float32:
                *(float*)destination = value;
                break;
            case DType.Float16:
                *(Half*)destination = (Half)value;
                break;
            case DType.BFloat16:
                *(ushort*)destination = BFloat16.RoundToBits(value);
                break;
            case DType.Bool:
                *destination = value != 0 ? (byte)1 : (byte)0;
                break;
            default:
                throw new NotSupportedException($"Cannot write float to {dtype}.");
        }
    }

    /// <summary>bfloat16 bits to float: a 16-bit left shift, 16 lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BFloat16ToSingle(ushort* source, float* destination, int count)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 16 <= count; i += 16)
            {
                var bits = Vector256.Load(source + i);
                var (low, high) = Vector256.Widen(bits);
                Vector256.ShiftLeft(low, 16).AsSingle().Store(destination + i);
                Vector256.ShiftLeft(high, 16).AsSingle().Store(destination + i + 8);
            }
        }

        for (; i < count; i++)
        {
            destination[i] = BFloat16.BitsToSingle(source[i]);
        }
    }

    /// <summary>float to bfloat16 bits, round to nearest even, NaN to 0x7FC0; 16 lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SingleToBFloat16(float* source, ushort* destination, int count)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256.Create(1u);
            var bias = Vector256.Create(0x7FFFu);
            var quietNaN = Vector256.Create(0x7FC0u);
            for (; i + 16 <= count; i += 16)
            {
                var low = RoundHalf(Vector256.Load(source + i), one, bias, quietNaN);
                var high = RoundHalf(Vector256.Load(source + i + 8), one, bias, quietNaN);
                Vector256.Narrow(low, high).Store(destination + i);
            }
        }

        for (; i < count; i++)
        {
            destination[i] = BFloat16.RoundToBits(source[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RoundHalf(Vector256<float> values, Vector256<uint> one, Vector256<uint> bias, Vector256<uint> quietNaN)
    {
        var bits = values.AsUInt32();
        var rounded = Vector256.ShiftRightLogical(bits + bias + (Vector256.ShiftRightLogical(bits, 16) & one), 16);
        var isNaN = ~Vector256.Equals(values, values).AsUInt32();
        return Vector256.ConditionalSelect(isNaN, quietNaN, rounded);
    }
}
