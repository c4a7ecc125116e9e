using System.Globalization;

namespace MiniGpt5.Tensors.Tests.Support;

/// <summary>Element-wise comparisons with stated tolerances; failures name the worst element.</summary>
internal static class TensorAssert
{
    /// <summary>|actual - expected| ≤ atol + rtol·|expected| everywhere (NaN must match NaN, infinities must match).</summary>
    public static void Close(Tensor expected, Tensor actual, double atol, double rtol, string context = "")
    {
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        Close(expected.ToFloatArray(), actual.ToFloatArray(), atol, rtol, context);
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, double rtol, string context = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = -1;
        double worstExcess = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) || double.IsNaN(a) || double.IsInfinity(e) || double.IsInfinity(a))
            {
                if (!(double.IsNaN(e) && double.IsNaN(a)) && e != a)
                {
                    worst = i;
                    worstExcess = double.PositiveInfinity;
                }

                continue;
            }

            var excess = Math.Abs(a - e) - (atol + (rtol * Math.Abs(e)));
            if (excess > worstExcess)
            {
                worstExcess = excess;
                worst = i;
            }
        }

        if (worst >= 0)
        {
            Assert.Fail(string.Create(
                CultureInfo.InvariantCulture,
                $"{context}: element {worst} is {actual[worst]:R} but expected {expected[worst]:R} (|diff| {Math.Abs(actual[worst] - expected[worst]):G3} exceeds atol {atol:G3} + rtol {rtol:G3}·|expected|)."));
        }
    }

    /// <summary>Tolerance relative to the scale of the expected values: |a - e| ≤ tol·max(1, max|e|).</summary>
    public static void CloseToScale(Tensor expected, Tensor actual, double tolerance, string context = "")
    {
        var values = expected.ToFloatArray();
        var scale = 1.0;
        foreach (var v in values)
        {
            if (float.IsFinite(v))
            {
                scale = Math.Max(scale, Math.Abs(v));
            }
        }

        Close(expected, actual, tolerance * scale, 0, context);
    }

    /// <summary>Bitwise equality of the elements (same dtype and shape). NaNs match any NaN: PyTorch's own payload
    /// differs between its scalar (0x7FC0) and vectorised (0xFFFF) bfloat16 conversions.</summary>
    public static void Identical(Tensor expected, Tensor actual, string context = "")
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        using var e = expected.Contiguous();
        using var a = actual.Contiguous();
        var eb = e.NumElements == 0 ? [] : ReadBytes(e);
        var ab = a.NumElements == 0 ? [] : ReadBytes(a);
        var ef = expected.DType.IsFloatingPoint() ? e.ToFloatArray() : null;
        var af = expected.DType.IsFloatingPoint() ? a.ToFloatArray() : null;
        for (var i = 0; i < eb.Length; i++)
        {
            var element = i / expected.DType.SizeOf();
            if (ef is not null && float.IsNaN(ef[element]) && float.IsNaN(af![element]))
            {
                continue;
            }

            if (eb[i] != ab[i])
            {
                Assert.Fail($"{context}: byte {i} (element {element}) differs: {ab[i]} vs expected {eb[i]}; actual {Format(a, element)}, expected {Format(e, element)}.");
            }
        }
    }

    private static byte[] ReadBytes(Tensor t)
    {
        using var bytes = Tensor.FromStorage(t.Storage, DType.UInt8, [(int)(t.NumElements * t.DType.SizeOf())], t.Offset * t.DType.SizeOf());
        return bytes.ToArray<byte>();
    }

    private static string Format(Tensor t, int element) => t.ToFloatArray()[element].ToString("R", CultureInfo.InvariantCulture);
}
