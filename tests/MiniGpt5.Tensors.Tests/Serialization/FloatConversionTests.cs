using System.Runtime.InteropServices;
using System.Text.Json;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Tensors.Tests.Serialization;

/// <summary>Narrowing conversions against torch's own results, bit for bit (tolerance: none; NaN only as NaN).</summary>
public sealed class FloatConversionTests
{
    private static readonly JsonElement GoldenBits = JsonDocument.Parse(File.ReadAllBytes(Golden.PathOf("float_conversion.json"))).RootElement;

    private static uint[] Bits(string name) => GoldenBits.GetProperty(name).EnumerateArray().Select(e => e.GetUInt32()).ToArray();

    [Theory]
    [InlineData(DType.Float16, "float16_bits")]
    [InlineData(DType.BFloat16, "bfloat16_bits")]
    public void Float32_narrows_exactly_as_torch_does(DType target, string golden)
    {
        var input = Bits("float32_bits");
        var expected = Bits(golden).Select(b => (ushort)b).ToArray();
        var output = new ushort[input.Length];

        FloatConversion.Convert(MemoryMarshal.AsBytes(input.AsSpan()), DType.Float32, MemoryMarshal.AsBytes(output.AsSpan()), target);

        for (var i = 0; i < input.Length; i++)
        {
            Assert.True(expected[i] == output[i], $"{BitConverter.UInt32BitsToSingle(input[i]):R} -> 0x{output[i]:x4}, torch 0x{expected[i]:x4}");
        }
    }

    [Theory]
    [InlineData(DType.Float16)]
    [InlineData(DType.BFloat16)]
    public void NaN_stays_NaN_and_widening_back_is_exact(DType target)
    {
        var nans = Bits("nan_float32_bits");
        var output = new ushort[nans.Length];
        FloatConversion.Convert(MemoryMarshal.AsBytes(nans.AsSpan()), DType.Float32, MemoryMarshal.AsBytes(output.AsSpan()), target);
        var back = new float[nans.Length];
        FloatConversion.Convert(MemoryMarshal.AsBytes(output.AsSpan()), target, MemoryMarshal.AsBytes(back.AsSpan()), DType.Float32);
        Assert.All(back, f => Assert.True(float.IsNaN(f)));

        // Every 16-bit pattern widens to float and narrows back to itself (NaNs to a NaN).
        var all = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        var wide = new float[all.Length];
        var again = new ushort[all.Length];
        FloatConversion.Convert(MemoryMarshal.AsBytes(all.AsSpan()), target, MemoryMarshal.AsBytes(wide.AsSpan()), DType.Float32);
        FloatConversion.Convert(MemoryMarshal.AsBytes(wide.AsSpan()), DType.Float32, MemoryMarshal.AsBytes(again.AsSpan()), target);
        for (var i = 0; i < all.Length; i++)
        {
            Assert.True(float.IsNaN(wide[i]) || all[i] == again[i], $"0x{all[i]:x4} came back as 0x{again[i]:x4}");
        }
    }

    [Fact]
    public void Double_narrows_with_a_single_rounding()
    {
        // 1 + 2^-11 + 2^-40 is just above the half-way point between 1 and the next half (1 + 2^-10):
        // rounded once it goes up; rounded through float (which drops the 2^-40) it would tie to 1.
        var justAboveHalf = 1 + Math.Pow(2, -11) + Math.Pow(2, -40);
        Assert.Equal((Half)(1 + Math.Pow(2, -10)), Narrow<Half>(justAboveHalf, DType.Float16));

        // The same trap for bfloat16 (7 fraction bits): 1 + 2^-8 + 2^-40 must round up to 1 + 2^-7.
        var bf = Narrow<ushort>(1 + Math.Pow(2, -8) + Math.Pow(2, -40), DType.BFloat16);
        Assert.Equal((float)(1 + Math.Pow(2, -7)), FloatConversion.BFloat16ToSingle(bf));
        // And exact ties still go to even.
        Assert.Equal(1f, FloatConversion.BFloat16ToSingle(Narrow<ushort>(1 + Math.Pow(2, -8), DType.BFloat16)));
        Assert.Equal(float.PositiveInfinity, FloatConversion.BFloat16ToSingle(Narrow<ushort>(1e300, DType.BFloat16)));
        Assert.Equal(0f, FloatConversion.BFloat16ToSingle(Narrow<ushort>(1e-300, DType.BFloat16)));
        Assert.True(float.IsNegative(FloatConversion.BFloat16ToSingle(Narrow<ushort>(-1e-300, DType.BFloat16))));
    }

    [Fact]
    public void Only_floating_point_types_convert()
    {
        Assert.False(FloatConversion.CanConvert(DType.Int64, DType.Float32));
        Assert.True(FloatConversion.CanConvert(DType.Int64, DType.Int64));
        Assert.Throws<NotSupportedException>(() => FloatConversion.Convert(new byte[8], DType.Int64, new byte[4], DType.Float32));
        Assert.Throws<ArgumentException>(() => FloatConversion.Convert(new byte[8], DType.Float32, new byte[2], DType.Float16));
    }

    private static T Narrow<T>(double value, DType target)
        where T : unmanaged
    {
        var output = new T[1];
        FloatConversion.Convert(MemoryMarshal.AsBytes(new[] { value }.AsSpan()), DType.Float64, MemoryMarshal.AsBytes(output.AsSpan()), target);
        return output[0];
    }
}
