using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// 16 half-precision values (bits) to 16 float32 lanes in registers, exactly (every input, NaN payloads included),
/// for kernels that stream half weights without converting them in memory. Callers check
/// <see cref="Avx512F.IsSupported"/>.
/// </summary>
internal static class HalfWidening
{
    /// <summary>bfloat16 is the top half of a float32: zero-extend and shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> BFloat16ToSingle(Vector256<ushort> bits) =>
        Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512UInt32(bits), 16).AsSingle();

    /// <summary>IEEE float16 to float32: exponent and mantissa moved into place form a float32 2^-112 times too
    /// small (a float32 subnormal when the half is subnormal), so one exact multiply by 2^112 rebiases normals and
    /// renormalises subnormals alike; exponent 31 (inf/NaN) gets the float exponent 255 with its payload kept.
    /// Needs denormal inputs honoured (the .NET default; no flush-to-zero mode).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Float16ToSingle(Vector256<ushort> bits)
    {
        var h = Avx512F.ConvertToVector512UInt32(bits);
        var magnitude = Avx512F.ShiftLeftLogical(h & Vector512.Create(0x7FFFu), 13);
        var scaled = (magnitude.AsSingle() * Vector512.Create(5.192296858534828e+33f)).AsUInt32();
        var special = Vector512.GreaterThanOrEqual(magnitude, Vector512.Create(0x0F800000u));
        var result = Vector512.ConditionalSelect(special, magnitude | Vector512.Create(0x7F800000u), scaled);
        return (result | Avx512F.ShiftLeftLogical(h & Vector512.Create(0x8000u), 16)).AsSingle();
    }
}
