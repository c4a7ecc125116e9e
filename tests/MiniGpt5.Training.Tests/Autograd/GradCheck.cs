using MiniGpt5.Tensors;
using MiniGpt5.Training.Autograd;

namespace MiniGpt5.Training.Tests.Autograd;

/// <summary>
/// gradcheck in float32 (the engine has no float64 compute): the analytic gradient of L = Σ w·f(inputs), with w a
/// fixed random weighting, against central differences (L(x+ε) − L(x−ε))/2ε, where L is summed on the host in
/// double. The truncation error is O(ε²·f‴) and the rounding error about 1e-7·|f|/ε, so with ε = 1e-2 on inputs of
/// order 1 the two agree to about 1e-3 of the largest gradient. An element passes when
/// |analytic − numeric| ≤ atol·max|numeric| + rtol·|numeric|.
/// </summary>
internal static class GradCheck
{
    public static void Check(
        Func<Tensor[], Tensor> f,
        Tensor[] inputs,
        bool[]? check = null,
        double eps = 1e-2,
        double rtol = 1e-2,
        double atol = 2e-3,
        int maxElements = 48,
        string? name = null)
    {
        check ??= inputs.Select(t => t.DType == DType.Float32).ToArray();
        float[]?[] values = inputs.Select(t => t.DType == DType.Float32 ? t.ToFloatArray() : null).ToArray();
        var shapes = inputs.Select(t => t.ShapeArray()).ToArray();

        float[] weights;
        int[] outputShape;
        using (var scope = TensorScope.Enter())
        using (GradMode.NoGrad())
        {
            var output = f(Fresh(inputs, values, shapes, null, 0, 0));
            outputShape = output.ShapeArray();
            var generator = new Generator(1234);
            weights = new float[output.NumElements];
            generator.FillNormal(weights);
        }

        // Analytic gradients through the tape.
        var analytic = new float[inputs.Length][];
        using (var store = new GradientStore())
        using (var scope = TensorScope.Enter())
        {
            var leaves = Fresh(inputs, values, shapes, null, 0, 0);
            for (var i = 0; i < leaves.Length; i++)
            {
                leaves[i].RequiresGrad = check[i];
            }

            using var tape = GradientTape.Start();
            var output = f(leaves);
            Assert.True(output.RequiresGrad, $"{name}: the output does not require grad.");
            using var w = Tensor.FromArray<float>(weights, outputShape);
            tape.Backward(output, store, w);
            for (var i = 0; i < leaves.Length; i++)
            {
                if (check[i])
                {
                    analytic[i] = store.Get(leaves[i])?.ToFloatArray() ?? new float[leaves[i].NumElements];
                }
            }
        }

        for (var i = 0; i < inputs.Length; i++)
        {
            if (!check[i])
            {
                continue;
            }

            var count = values[i]!.Length;
            var picks = Pick(count, maxElements, i);
            var numeric = new double[picks.Length];
            for (var p = 0; p < picks.Length; p++)
            {
                var plus = Loss(f, inputs, values, shapes, weights, i, picks[p], eps);
                var minus = Loss(f, inputs, values, shapes, weights, i, picks[p], -eps);
                numeric[p] = (plus - minus) / (2 * eps);
            }

            var scale = Math.Max(numeric.Select(Math.Abs).DefaultIfEmpty(0).Max(), 1e-3);
            for (var p = 0; p < picks.Length; p++)
            {
                var a = analytic[i][picks[p]];
                var n = numeric[p];
                var allowed = (atol * scale) + (rtol * Math.Abs(n));
                Assert.True(
                    Math.Abs(a - n) <= allowed,
                    $"{name ?? "gradcheck"}: input {i} element {picks[p]}: analytic {a:G6} vs numeric {n:G6} (allowed {allowed:G3}).");
            }
        }
    }

    private static double Loss(Func<Tensor[], Tensor> f, Tensor[] inputs, float[]?[] values, int[][] shapes, float[] weights, int which, int element, double delta)
    {
        using var scope = TensorScope.Enter();
        using var noGrad = GradMode.NoGrad();
        var output = f(Fresh(inputs, values, shapes, which, element, delta)).ToFloatArray();
        double sum = 0;
        for (var i = 0; i < output.Length; i++)
        {
            sum += (double)output[i] * weights[i];
        }

        return sum;
    }

    private static Tensor[] Fresh(Tensor[] inputs, float[]?[] values, int[][] shapes, int? which, int element, double delta)
    {
        var result = new Tensor[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            if (values[i] is not { } data)
            {
                result[i] = inputs[i].Alias();
                continue;
            }

            var copy = (float[])data.Clone();
            if (which == i)
            {
                copy[element] = (float)(copy[element] + delta);
            }

            result[i] = Tensor.FromArray<float>(copy, shapes[i]);
        }

        return result;
    }

    private static int[] Pick(int count, int max, int salt)
    {
        if (count <= max)
        {
            return Enumerable.Range(0, count).ToArray();
        }

        var random = new Random(17 + salt);
        return Enumerable.Range(0, count).OrderBy(_ => random.Next()).Take(max).OrderBy(i => i).ToArray();
    }

    /// <summary>A float32 tensor of standard normal values (seeded).</summary>
    public static Tensor Randn(ulong seed, params int[] shape) => Tensor.Randn(shape, new Generator(seed));

    /// <summary>Uniform values in [lo, hi) (seeded).</summary>
    public static Tensor Uniform(ulong seed, double lo, double hi, params int[] shape)
    {
        using var u = Tensor.Rand(shape, new Generator(seed));
        return (u * (hi - lo)) + lo;
    }

    /// <summary>Normal values pushed at least <paramref name="gap"/> away from 0 (for ops with a kink at 0).</summary>
    public static Tensor AwayFromZero(ulong seed, double gap, params int[] shape)
    {
        var values = Randn(seed, shape).ToFloatArray();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = values[i] >= 0 ? values[i] + (float)gap : values[i] - (float)gap;
        }

        return Tensor.FromArray<float>(values, shape);
    }
}
