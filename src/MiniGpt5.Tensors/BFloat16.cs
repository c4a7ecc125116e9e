using System.Runtime.CompilerServices;

namespace MiniGpt5.Tensors;

/// <summary>
/// The bfloat16 element type: the top 16 bits of an IEEE float32. Conversion from float rounds to nearest, ties to
/// even, and turns every NaN into the quiet NaN 0x7FC0, exactly as PyTorch's <c>c10::BFloat16</c> does.
/// </summary>
public readonly struct BFloat16 : IEquatable<BFloat16>
{
    /// <summary>The raw bits.</summary>
    public ushort Bits { get; }

    private BFloat16(ushort bits) => Bits = bits;

    /// <summary>Reinterprets raw bits as a bfloat16.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>Rounds a float to the nearest bfloat16 (ties to even).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static BFloat16 FromSingle(float value) => new(RoundToBits(value));

    /// <summary>The exact float value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float ToSingle() => BitsToSingle(Bits);

    /// <summary>Round-to-nearest-even of a float to bfloat16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort RoundToBits(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u)
        {
            return 0x7FC0;
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>Float value of bfloat16 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BitsToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Widening conversion (exact).</summary>
    public static explicit operator float(BFloat16 value) => value.ToSingle();

    /// <summary>Narrowing conversion (round to nearest even).</summary>
    public static explicit operator BFloat16(float value) => FromSingle(value);

    /// <inheritdoc />
    public bool Equals(BFloat16 other) => Bits == other.Bits;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Bits;

    /// <summary>Bitwise equality.</summary>
    public static bool operator ==(BFloat16 left, BFloat16 right) => left.Equals(right);

    /// <summary>Bitwise inequality.</summary>
    public static bool operator !=(BFloat16 left, BFloat16 right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => ToSingle().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
