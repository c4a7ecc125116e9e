using System.Text.Json.Nodes;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Testing;

namespace MiniGpt5.Models.Tests.Interleaved;

/// <summary>Reads tests/golden/minigpt5 (written by tools/reference/minigpt5_goldens.py).</summary>
internal static class Goldens
{
    public static string Path(params string[] parts) => RepoPaths.GoldenFile(["minigpt5", .. parts]);

    public static JsonObject Json(params string[] parts) =>
        JsonNode.Parse(File.ReadAllText(Path(parts)))!.AsObject();

    public static int[] Ints(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<int>()).ToArray();

    /// <summary>Every tensor of a golden safetensors file as float32 arrays with shapes.</summary>
    public static Dictionary<string, (float[] Values, int[] Shape)> Tensors(params string[] parts)
    {
        using var set = CheckpointSet.Open(Path(parts));
        var result = new Dictionary<string, (float[], int[])>();
        foreach (var (name, tensor) in set)
        {
            using var view = Tensor.FromStorage(tensor.Storage, tensor.DType, tensor.Shape, tensor.Strides, tensor.ElementOffset);
            using var f = view.To(DType.Float32);
            result[name] = (f.ToFloatArray(), f.ShapeArray());
        }

        return result;
    }

    /// <summary>Row <paramref name="row"/> of a 2-D golden.</summary>
    public static float[] Row((float[] Values, int[] Shape) tensor, int row)
    {
        var width = tensor.Shape[^1];
        return tensor.Values.AsSpan(row * width, width).ToArray();
    }

    /// <summary>Asserts |actual - expected| ≤ atol + rtol·|expected| everywhere, naming the worst index.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, double rtol = 0, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = -1;
        double worstExcess = 0, worstDiff = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var diff = Math.Abs((double)actual[i] - expected[i]);
            var excess = diff - (atol + (rtol * Math.Abs(expected[i])));
            if (double.IsNaN(diff) || excess > worstExcess)
            {
                worst = i;
                worstExcess = double.IsNaN(diff) ? double.PositiveInfinity : excess;
                worstDiff = diff;
            }
        }

        Assert.True(worst < 0, $"{what}: element {worst} is {(worst >= 0 ? actual[worst] : 0)} but expected {(worst >= 0 ? expected[worst] : 0)} (|diff| {worstDiff:G3} > atol {atol} + rtol {rtol}).");
    }

    /// <summary>Largest absolute difference.</summary>
    public static double MaxDiff(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double max = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)actual[i] - expected[i]));
        }

        return max;
    }
}
