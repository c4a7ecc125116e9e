using System.Globalization;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Testing;

namespace MiniGpt5.Models.Tests.StableDiffusion;

/// <summary>Reads tests/golden/sd (written by tools/reference/sd_goldens.py) and compares tensors with stated tolerances.</summary>
internal static class SdGoldens
{
    /// <summary>The tiny diffusers folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/).</summary>
    public static string TinyModel => RepoPaths.GoldenFile("sd", "tiny-sd");

    /// <summary>A golden file's path.</summary>
    public static string File(string name) => RepoPaths.GoldenFile("sd", name);

    /// <summary>A tensor of a golden safetensors file, as a detached float32 (or int) tensor the caller owns.</summary>
    public static Tensor Load(string file, string name)
    {
        using var set = CheckpointSet.Open(File(file));
        if (!set.TryGetValue(name, out var t))
        {
            throw new KeyNotFoundException($"Golden '{file}' has no tensor '{name}'; regenerate with tools/reference/sd_goldens.py.");
        }

        using var view = Tensor.FromStorage(t.Storage, t.DType, t.Shape, t.Strides, t.ElementOffset);
        return view.Clone().DetachFromScope();
    }

    /// <summary>Names in a golden file.</summary>
    public static IReadOnlyList<string> Names(string file)
    {
        using var set = CheckpointSet.Open(File(file));
        return set.Keys.ToList();
    }

    /// <summary>
    /// Asserts |actual - expected| ≤ atol + rtol·|expected| elementwise, naming the worst element when not.
    /// </summary>
    public static void AssertClose(Tensor expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{what}: shape [{string.Join(", ", actual.ShapeArray())}], expected [{string.Join(", ", expected.ShapeArray())}].");
        var e = expected.To(DType.Float32).ToFloatArray();
        var a = actual.To(DType.Float32).ToFloatArray();
        var worst = -1;
        var worstExcess = 0.0;
        var maxAbs = 0.0;
        for (var i = 0; i < e.Length; i++)
        {
            var diff = Math.Abs((double)a[i] - e[i]);
            maxAbs = Math.Max(maxAbs, diff);
            var excess = diff - (atol + (rtol * Math.Abs(e[i])));
            if (excess > worstExcess || double.IsNaN(diff))
            {
                worstExcess = double.IsNaN(diff) ? double.PositiveInfinity : excess;
                worst = i;
            }
        }

        Assert.True(worst < 0, worst < 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture,
            $"{what}: element {worst} is {a[worst]}, expected {e[worst]} (max |diff| {maxAbs:G4}, tolerance {atol} + {rtol}·|expected|)."));
    }

    /// <summary>
    /// The float32 block tolerance: |diff| ≤ 1e-4·|expected| + 1e-4·max|expected| (a relative error of about 1e-4,
    /// measured against the tensor's scale so that near-zero elements do not demand more than float32 can give).
    /// </summary>
    public static void AssertCloseRelative(Tensor expected, Tensor actual, double relative, string what)
    {
        var scale = expected.To(DType.Float32).ToFloatArray().Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max();
        AssertClose(expected, actual, relative, relative * scale, what);
    }

    /// <summary>Relative L2 error ‖a - e‖ / ‖e‖.</summary>
    public static double RelativeError(Tensor expected, Tensor actual)
    {
        var e = expected.To(DType.Float32).ToFloatArray();
        var a = actual.To(DType.Float32).ToFloatArray();
        double num = 0, den = 0;
        for (var i = 0; i < e.Length; i++)
        {
            num += ((double)a[i] - e[i]) * ((double)a[i] - e[i]);
            den += (double)e[i] * e[i];
        }

        return Math.Sqrt(num / Math.Max(den, 1e-30));
    }
}
