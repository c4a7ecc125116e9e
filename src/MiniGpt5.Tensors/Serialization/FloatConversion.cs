using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace MiniGpt5.Tensors.Serialization;

/// <summary>
/// Exact conversions between the floating-point dtypes of checkpoints. Widening (f16/bf16 to f32 or f64, f32
/// to f64) is exact; narrowing rounds once, to nearest with ties to even, as PyTorch's <c>tensor.to(dtype)</c>
/// does: overflow goes to infinity, NaN stays NaN (quiet, sign kept), subnormals are produced, not flushed.
/// </summary>
public static class FloatConversion
{
    /// <summary>True when <see cref="Convert"/> can turn <paramref name="from"/> into <paramref name="to"/>.</summary>
    public static bool CanConvert(DType from, DType to) => from == to || (from.IsFloatingPoint() && to.IsFloatingPoint());

    /// <summary>
    /// Converts packed elements of <paramref name="from"/> in <paramref name="source"/> into packed elements of
    /// <paramref name="to"/> in <paramref name="destination"/>; both hold the same number of elements.
    /// </summary>
    public static void Convert(ReadOnlySpan<byte> source, DType from, Span<byte> destination, DType to)
    {
        var count = source.Length / from.SizeOf();
        if (source.Length % from.SizeOf() != 0 || destination.Length != count * to.SizeOf())
        {
            throw new ArgumentException(
                $"Converting {source.Length} bytes of {from.TorchName()} needs {count * to.SizeOf()} bytes of {to.TorchName()}, not {destination.Length}.",
                nameof(destination));
        }

        if (from == to)
        {
            source.CopyTo(destination);
            return;
        }

        if (!CanConvert(from, to))
        {
            throw new NotSupportedException($"Cannot convert {from.TorchName()} to {to.TorchName()}: only floating-point tensors change dtype.");
        }

        switch (from, to)
        {
            case (DType.Float32, DType.Float16):
                TensorPrimitives.ConvertToHalf(Cast<float>(source), CastOut<Half>(destination));
                return;
            case (DType.Float16, DType.Float32):
                TensorPrimitives.ConvertToSingle(Cast<Half>(source), CastOut<float>(destination));
                return;
            case (DType.Float32, DType.BFloat16):
                SingleToBFloat16(Cast<float>(source), CastOut<ushort>(destination));
                return;
            case (DType.BFloat16, DType.Float32):
                BFloat16ToSingle(Cast<ushort>(source), CastOut<float>(destination));
                return;
            case (DType.Float64, DType.Float32):
                {
                    var s = Cast<double>(source);
                    var d = CastOut<float>(destination);
                    for (var i = 0; i < s.Length; i++)
                    {
                        d[i] = (float)s[i];
                    }

                    return;
                }

            case (DType.Float64, DType.Float16):
                {
                    // Straight from double: going through float would round twice.
                    var s = Cast<double>(source);
                    var d = CastOut<Half>(destination);
                    for (var i = 0; i < s.Length; i++)
                    {
                        d[i] = (Half)s[i];
                    }

                    return;
                }

            case (DType.Float64, DType.BFloat16):
                {
                    var s = Cast<double>(source);
                    var d = CastOut<ushort>(destination);
                    for (var i = 0; i < s.Length; i++)
                    {
                        d[i] = DoubleToBFloat16(s[i]);
                    }

                    return;
                }

            default:
                // Every other pair widens exactly through float (f16 <-> bf16 rounds once, in the last step).
                ConvertThroughSingle(source, from, destination, to, count);
                return;
        }
    }

    /// <summary>Rounds a float to bfloat16 bits (nearest, ties to even).</summary>
    public static ushort SingleToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            // Keep the sign and the top of the payload; force the quiet bit so truncation cannot make an infinity.
            return (ushort)((bits >> 16) | 0x0040);
        }

        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>Widens bfloat16 bits to a float (exact).</summary>
    public static float BFloat16ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>
    /// Rounds a double to bfloat16 bits with a single rounding: the double is first narrowed to float with
    /// round-to-odd (exact bits kept, inexactness folded into the last bit), which float's 16 spare bits make
    /// safe, then rounded to nearest-even.
    /// </summary>
    public static ushort DoubleToBFloat16(double value)
    {
        if (double.IsNaN(value))
        {
            return SingleToBFloat16((float)value);
        }

        var nearest = (float)value;
        if (float.IsInfinity(nearest))
        {
            // Beyond float's range is beyond bfloat16's too (same exponent range, fewer digits).
            return SingleToBFloat16(nearest);
        }

        var truncated = nearest;
        if (Math.Abs((double)nearest) > Math.Abs(value))
        {
            // Rounded away from zero: step one ulp back towards zero to truncate.
            truncated = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(nearest) - 1);
        }

        var bits = BitConverter.SingleToUInt32Bits(truncated);
        if ((double)truncated != value)
        {
            bits |= 1;
        }

        return SingleToBFloat16(BitConverter.UInt32BitsToSingle(bits));
    }

    private static void SingleToBFloat16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = SingleToBFloat16(source[i]);
        }
    }

    private static void BFloat16ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = BFloat16ToSingle(source[i]);
        }
    }

    private static void ConvertThroughSingle(ReadOnlySpan<byte> source, DType from, Span<byte> destination, DType to, int count)
    {
        const int Block = 4096;
        Span<float> buffer = stackalloc float[Block];
        for (var start = 0; start < count; start += Block)
        {
            var n = Math.Min(Block, count - start);
            var floats = buffer[..n];
            var inBytes = source.Slice(start * from.SizeOf(), n * from.SizeOf());
            switch (from)
            {
                case DType.Float32:
                    Cast<float>(inBytes).CopyTo(floats);
                    break;
                case DType.Float16:
                    TensorPrimitives.ConvertToSingle(Cast<Half>(inBytes), floats);
                    break;
                case DType.BFloat16:
                    BFloat16ToSingle(Cast<ushort>(inBytes), floats);
                    break;
                default:
                    throw new NotSupportedException($"No conversion path from {from.TorchName()} to {to.TorchName()}.");
            }

            var outBytes = destination.Slice(start * to.SizeOf(), n * to.SizeOf());
            switch (to)
            {
                case DType.Float32:
                    floats.CopyTo(CastOut<float>(outBytes));
                    break;
                case DType.Float16:
                    TensorPrimitives.ConvertToHalf(floats, CastOut<Half>(outBytes));
                    break;
                case DType.BFloat16:
                    SingleToBFloat16(floats, CastOut<ushort>(outBytes));
                    break;
                case DType.Float64:
                    {
                        var d = CastOut<double>(outBytes);
                        for (var i = 0; i < n; i++)
                        {
                            d[i] = floats[i];
                        }

                        break;
                    }

                default:
                    throw new NotSupportedException($"No conversion path from {from.TorchName()} to {to.TorchName()}.");
            }
        }
    }

    private static ReadOnlySpan<T> Cast<T>(ReadOnlySpan<byte> bytes)
        where T : struct => MemoryMarshal.Cast<byte, T>(bytes);

    private static Span<T> CastOut<T>(Span<byte> bytes)
        where T : struct => MemoryMarshal.Cast<byte, T>(bytes);
}
