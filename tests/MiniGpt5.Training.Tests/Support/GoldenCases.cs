using System.Text.Json;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Testing;

namespace MiniGpt5.Training.Tests.Support;

/// <summary>A golden file of tools/reference/training_goldens.py: cases with an op, params and tensors "N.role".</summary>
internal sealed class GoldenCases : IDisposable
{
    private readonly CheckpointSet _set;

    public GoldenCases(string fileName)
    {
        _set = CheckpointSet.Open(RepoPaths.GoldenFile("training", fileName));
        using var cases = JsonDocument.Parse(_set.Metadata["cases"]);
        Cases = cases.RootElement.EnumerateArray()
            .Select(c => new GoldenCase(c.GetProperty("name").GetString()!, c.GetProperty("op").GetString()!, c.GetProperty("params").Clone()))
            .ToList();
    }

    public IReadOnlyList<GoldenCase> Cases { get; }

    public GoldenCase Case(string op) => Cases.Single(c => c.Op == op);

    /// <summary>A copy of tensor "case.role" (owned by the caller / current scope).</summary>
    public Tensor Tensor(GoldenCase goldenCase, string role)
    {
        var saved = _set[$"{goldenCase.Name}.{role}"];
        using var view = MiniGpt5.Tensors.Tensor.FromStorage(saved.Storage, saved.DType, saved.Shape, saved.Strides, saved.ElementOffset);
        return view.Clone();
    }

    /// <summary>Every role of a case starting with <paramref name="prefix"/>, without the prefix.</summary>
    public IReadOnlyList<string> Roles(GoldenCase goldenCase, string prefix) =>
        _set.Keys.Where(k => k.StartsWith($"{goldenCase.Name}.{prefix}", StringComparison.Ordinal))
            .Select(k => k[($"{goldenCase.Name}.{prefix}".Length)..]).OrderBy(k => k, StringComparer.Ordinal).ToList();

    public void Dispose() => _set.Dispose();
}

internal sealed record GoldenCase(string Name, string Op, JsonElement Params)
{
    public int Int(string key) => Params.GetProperty(key).GetInt32();

    public double Double(string key) => Params.GetProperty(key).GetDouble();
}

/// <summary>Tolerance checks with messages that name what differs.</summary>
internal static class Close
{
    /// <summary>max |actual − expected| ≤ rtol·max|expected| + atol.</summary>
    public static void Assert(float[] expected, float[] actual, double rtol, double atol, string what)
    {
        Xunit.Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        var worst = 0.0;
        var at = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var diff = Math.Abs((double)expected[i] - actual[i]);
            if (double.IsNaN(diff) || diff > worst)
            {
                worst = double.IsNaN(diff) ? double.PositiveInfinity : diff;
                at = i;
            }
        }

        var allowed = (rtol * scale) + atol;
        Xunit.Assert.True(worst <= allowed, $"{what}: max difference {worst:G4} at {at} (expected {(at >= 0 ? expected[at] : 0):G6}, got {(at >= 0 ? actual[at] : 0):G6}) exceeds {allowed:G3} (scale {scale:G4}).");
    }
}
