using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>
/// Vectorised exp-based math (exp, sigmoid, SiLU, GELU) on 512-bit lanes when the CPU has them, 256-bit otherwise,
/// and a scalar tail. The exponential is our own float32 one (<see cref="ExpVector(Vector512{float})"/>): the
/// runtime's Vector512/256.Exp and TensorPrimitives.Exp evaluate in double precision and cost ~2 ns per element,
/// which made exp the bottleneck of softmax and attention.
/// </summary>
internal static class ActivationMath
{
    private const float InverseSqrt2 = 0.70710678118654752f;
    private const float SqrtTwoOverPi = 0.7978845608028654f;

    /// <summary>values[i] = e^(values[i] - shift), returning their sum: the softmax numerator of a row whose maximum
    /// is <paramref name="shift"/>, so every exponent is ≤ 0 (or NaN). With AVX-512 this uses
    /// <see cref="ExpNonPositive"/>; elsewhere the general exp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe float ExpShiftedSum(Span<float> values, float shift)
    {
        if (!Avx512F.IsSupported)
        {
            TensorPrimitives.Subtract(values, shift, values);
            Exp(values, values);
            return TensorPrimitives.Sum(values);
        }

        fixed (float* row = values)
        {
            var sum = Vector512<float>.Zero;
            var offset = Vector512.Create(shift);
            var i = 0;
            for (; i + 16 <= values.Length; i += 16)
            {
                var e = ExpNonPositive(Vector512.Load(row + i) - offset);
                e.Store(row + i);
                sum += e;
            }

            var total = Vector512.Sum(sum);
            for (; i < values.Length; i++)
            {
                row[i] = MathF.Exp(row[i] - shift);
                total += row[i];
            }

            return total;
        }
    }

    /// <summary>
    /// e^x for x ≤ 0 (softmax after subtracting the row max) with AVX-512: x = n·ln2 + r (Cody–Waite, |r| ≤ ln2/2),
    /// e^r by its Taylor series to r^6 with FMAs (truncation below 1.3e-7 relative, about 1 ulp), and 2^n applied by
    /// vscalefps, which also underflows gracefully — so no exponent-field tricks or range fixes are needed.
    /// x below -110 (and -inf: masked keys) gives exactly 0; NaN stays NaN. Positive x is not supported.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpNonPositive(Vector512<float> x)
    {
        // vmaxps returns its second operand when either is NaN, so NaN passes through.
        var clamped = Avx512F.Max(Vector512.Create(-110f), x);
        var n = Avx512F.RoundScale(clamped * Vector512.Create(Log2E), 0);
        var r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), clamped);
        r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        var p = Avx512F.FusedMultiplyAdd(Vector512.Create(1f / 720), r, Vector512.Create(1f / 120));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1f / 24));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(1f / 6));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Avx512F.FusedMultiplyAdd(p, r, Vector512<float>.One);
        return Avx512F.Scale(p, n);
    }

    /// <summary>y = e^x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Exp(ReadOnlySpan<float> x, Span<float> y)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var destination = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= x.Length; i += 16)
            {
                ExpVector(Vector512.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref destination, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= x.Length; i += 8)
            {
                ExpVector(Vector256.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref destination, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = MathF.Exp(x[i]);
        }
    }

    /// <summary>y = x·sigmoid(alpha·x) = x / (1 + e^(-alpha·x)): SiLU for alpha = 1, QuickGELU for alpha = 1.702.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaledSilu(ReadOnlySpan<float> x, Span<float> y, float alpha)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var destination = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= x.Length; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref source, (nuint)i);
                (v / (Vector512<float>.One + ExpVector(v * -alpha))).StoreUnsafe(ref destination, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= x.Length; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref source, (nuint)i);
                (v / (Vector256<float>.One + ExpVector(v * -alpha))).StoreUnsafe(ref destination, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = x[i] / (1f + MathF.Exp(-alpha * x[i]));
        }
    }

    /// <summary>y = 1 / (1 + e^-x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var destination = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= x.Length; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref source, (nuint)i);
                (Vector512<float>.One / (Vector512<float>.One + ExpVector(-v))).StoreUnsafe(ref destination, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= x.Length; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref source, (nuint)i);
                (Vector256<float>.One / (Vector256<float>.One + ExpVector(-v))).StoreUnsafe(ref destination, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = 1f / (1f + MathF.Exp(-x[i]));
        }
    }

    /// <summary>
    /// Exact GELU through erfc: gelu(x) = x/2 · erfc(-x/√2), with erfc from the Chebyshev fit of Numerical Recipes
    /// (erfc(z) = t·exp(-z² + P(t)), t = 1/(1+z/2), fractional error below 1.2e-7 for every z ≥ 0). Going through erfc
    /// keeps the relative accuracy where 1 + erf(x/√2) is tiny (large negative x), unlike 1 + erf.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        ref var source = ref MemoryMarshal.GetReference(x);
        ref var destination = ref MemoryMarshal.GetReference(y);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= x.Length; i += 16)
            {
                GeluVector(Vector512.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref destination, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= x.Length; i += 8)
            {
                GeluVector(Vector256.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref destination, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            y[i] = GeluScalar(x[i]);
        }
    }

    /// <summary>GELU with the tanh approximation: x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    public static void GeluTanh(ReadOnlySpan<float> x, Span<float> y)
    {
        var inner = Scratch.Row(3, x.Length);
        TensorPrimitives.Multiply(x, x, inner);
        TensorPrimitives.Multiply(inner, 0.044715f, inner);
        TensorPrimitives.Add(inner, 1f, inner);
        TensorPrimitives.Multiply(inner, x, inner);
        TensorPrimitives.Multiply(inner, SqrtTwoOverPi, inner);
        TensorPrimitives.Tanh(inner, inner);
        TensorPrimitives.Add(inner, 1f, inner);
        TensorPrimitives.Multiply(inner, x, inner);
        TensorPrimitives.Multiply(inner, 0.5f, y);
    }

    // exp(x) = 2^n · e^r with n = round(x·log2 e) and r = x - n·ln 2 (ln 2 split in a short high part and a low
    // correction, Cody–Waite, so r is exact to float precision); e^r for |r| ≤ ln2/2 by its Taylor series to r^7
    // (truncation error below 1e-8 relative). Results below 2^-126 flush to zero; above FLT_MAX become +inf;
    // NaN stays NaN. About 1-2 ulp.
    private const float ExpUpper = 88.72283f;
    private const float ExpLower = -87.33654f;
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpVector(Vector512<float> x)
    {
        var clamped = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpLower)), Vector512.Create(ExpUpper));
        var n = Vector512.Round(clamped * Log2E);
        var r = clamped - (n * Ln2High);
        r -= n * Ln2Low;
        var p = Vector512.Create(1f / 5040);
        p = (p * r) + Vector512.Create(1f / 720);
        p = (p * r) + Vector512.Create(1f / 120);
        p = (p * r) + Vector512.Create(1f / 24);
        p = (p * r) + Vector512.Create(1f / 6);
        p = (p * r) + Vector512.Create(0.5f);
        p = (p * r) + Vector512<float>.One;
        p = (p * r) + Vector512<float>.One;

        // 2^n by building the exponent field; n = 128 (x near the top) is done as 2^127·2.
        var exponent = Vector512.ConvertToInt32(n);
        var top = Vector512.GreaterThan(exponent, Vector512.Create(127));
        exponent = Vector512.Min(exponent, Vector512.Create(127));
        var scale = Vector512.ShiftLeft(exponent + Vector512.Create(127), 23).AsSingle();
        var result = p * scale;
        result = Vector512.ConditionalSelect(top.AsSingle(), result * 2f, result);
        result = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(ExpUpper)), Vector512.Create(float.PositiveInfinity), result);
        result = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpLower)), Vector512<float>.Zero, result);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExpVector(Vector256<float> x)
    {
        var clamped = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpLower)), Vector256.Create(ExpUpper));
        var n = Vector256.Round(clamped * Log2E);
        var r = clamped - (n * Ln2High);
        r -= n * Ln2Low;
        var p = Vector256.Create(1f / 5040);
        p = (p * r) + Vector256.Create(1f / 720);
        p = (p * r) + Vector256.Create(1f / 120);
        p = (p * r) + Vector256.Create(1f / 24);
        p = (p * r) + Vector256.Create(1f / 6);
        p = (p * r) + Vector256.Create(0.5f);
        p = (p * r) + Vector256<float>.One;
        p = (p * r) + Vector256<float>.One;
        var exponent = Vector256.ConvertToInt32(n);
        var top = Vector256.GreaterThan(exponent, Vector256.Create(127));
        exponent = Vector256.Min(exponent, Vector256.Create(127));
        var scale = Vector256.ShiftLeft(exponent + Vector256.Create(127), 23).AsSingle();
        var result = p * scale;
        result = Vector256.ConditionalSelect(top.AsSingle(), result * 2f, result);
        result = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(ExpUpper)), Vector256.Create(float.PositiveInfinity), result);
        result = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpLower)), Vector256<float>.Zero, result);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
    }

    // The erfc fit's coefficients, highest order first.
    private static ReadOnlySpan<float> ErfcCoefficients =>
        [0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f, -0.18628806f, 0.09678418f, 0.37409196f, 1.00002368f, -1.26551223f];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> GeluVector(Vector512<float> x)
    {
        var z = Vector512.Abs(x) * InverseSqrt2;
        var t = Vector512<float>.One / (Vector512<float>.One + (z * 0.5f));
        var coefficients = ErfcCoefficients;
        var p = Vector512.Create(coefficients[0]);
        for (var i = 1; i < coefficients.Length; i++)
        {
            p = (p * t) + Vector512.Create(coefficients[i]);
        }

        var erfc = t * ExpVector(p - (z * z));
        var factor = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512.Create(2f) - erfc, erfc);
        return x * 0.5f * factor;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> GeluVector(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * InverseSqrt2;
        var t = Vector256<float>.One / (Vector256<float>.One + (z * 0.5f));
        var coefficients = ErfcCoefficients;
        var p = Vector256.Create(coefficients[0]);
        for (var i = 1; i < coefficients.Length; i++)
        {
            p = (p * t) + Vector256.Create(coefficients[i]);
        }

        var erfc = t * ExpVector(p - (z * z));
        var factor = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256.Create(2f) - erfc, erfc);
        return x * 0.5f * factor;
    }

    private static float GeluScalar(float x)
    {
        var z = MathF.Abs(x) * InverseSqrt2;
        var t = 1f / (1f + (0.5f * z));
        var coefficients = ErfcCoefficients;
        var p = coefficients[0];
        for (var i = 1; i < coefficients.Length; i++)
        {
            p = (p * t) + coefficients[i];
        }

        var erfc = t * MathF.Exp(p - (z * z));
        return x * 0.5f * (x >= 0 ? 2f - erfc : erfc);
    }
}
