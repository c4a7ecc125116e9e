using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MiniGpt5.Tensors.Cpu.Kernels;

/// <summary>Vectorised activations that System.Numerics.Tensors lacks.</summary>
internal static class ActivationMath
{
    private const float InverseSqrt2 = 0.70710678118654752f;
    private const float SqrtTwoOverPi = 0.7978845608028654f;

    /// <summary>
    /// Exact GELU through erfc: gelu(x) = x/2 · erfc(-x/√2), with erfc from the Chebyshev fit of Numerical Recipes
    /// (erfc(z) = t·exp(-z² + P(t)), t = 1/(1+z/2), fractional error below 1.2e-7 for every z ≥ 0). Going through erfc
    /// keeps the relative accuracy where 1 + erf(x/√2) is tiny (large negative x), unlike 1 + erf.
    /// </summary>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var source = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref var destination = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
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

    /// <summary>x·sigmoid(alpha·x): SiLU for alpha = 1, QuickGELU for alpha = 1.702.</summary>
    public static void ScaledSilu(ReadOnlySpan<float> x, Span<float> y, float alpha)
    {
        var gate = Scratch.Row(3, x.Length);
        if (alpha == 1f)
        {
            TensorPrimitives.Sigmoid(x, gate);
        }
        else
        {
            TensorPrimitives.Multiply(x, alpha, gate);
            TensorPrimitives.Sigmoid(gate, gate);
        }

        TensorPrimitives.Multiply(x, gate, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> GeluVector(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * InverseSqrt2;
        var t = Vector256<float>.One / (Vector256<float>.One + (z * 0.5f));
        var p = Vector256.Create(0.17087277f);
        p = (p * t) + Vector256.Create(-0.82215223f);
        p = (p * t) + Vector256.Create(1.48851587f);
        p = (p * t) + Vector256.Create(-1.13520398f);
        p = (p * t) + Vector256.Create(0.27886807f);
        p = (p * t) + Vector256.Create(-0.18628806f);
        p = (p * t) + Vector256.Create(0.09678418f);
        p = (p * t) + Vector256.Create(0.37409196f);
        p = (p * t) + Vector256.Create(1.00002368f);
        p = (p * t) + Vector256.Create(-1.26551223f);
        var erfc = t * Vector256.Exp(p - (z * z));
        var factor = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256.Create(2f) - erfc, erfc);
        return x * 0.5f * factor;
    }

    private static float GeluScalar(float x)
    {
        var z = MathF.Abs(x) * InverseSqrt2;
        var t = 1f / (1f + (0.5f * z));
        var p = 0.17087277f;
        p = (p * t) - 0.82215223f;
        p = (p * t) + 1.48851587f;
        p = (p * t) - 1.13520398f;
        p = (p * t) + 0.27886807f;
        p = (p * t) - 0.18628806f;
        p = (p * t) + 0.09678418f;
        p = (p * t) + 0.37409196f;
        p = (p * t) + 1.00002368f;
        p = (p * t) - 1.26551223f;
        var erfc = t * MathF.Exp(p - (z * z));
        return x * 0.5f * (x >= 0 ? 2f - erfc : erfc);
    }
}
