using MiniGpt5.Models.VokenMapper;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Tests.VokenMapper;

/// <summary>
/// A fresh mapper (stage 1 trains one from scratch) starts as PyTorch would build MiniGPT-5's: nn.Transformer re-draws
/// every matrix Xavier-uniform, nn.MultiheadAttention zeroes its biases, the queries are randn. The regression this
/// guards: attention in_proj left at zeros puts Wq and Wk on a saddle their gradients never leave (q = k = 0 gives
/// zero gradients to both), so every attention stays a uniform average and the mapper learns little more than the
/// average conditioning (the shipped nano model's stage 1 and 2 weights had Wq = Wk = 0 exactly).
/// </summary>
public sealed class FeatureMapperInitTests
{
    private static readonly VokenMapperConfig Config = FeatureMapperGoldenTests.TinyConfig;

    [Fact]
    public void Every_matrix_is_xavier_uniform_attention_biases_are_zero_and_the_queries_are_standard_normal()
    {
        using var mapper = new FeatureMapper(Config);
        mapper.InitializeWeights(new Generator(3));
        var width = Config.Width;
        foreach (var (name, parameter) in mapper.Transformer.NamedParameters())
        {
            var values = parameter.Value.ToFloatArray();
            if (name.EndsWith("in_proj_weight", StringComparison.Ordinal))
            {
                // Rows Wq; Wk; Wv, each [E, E] and each drawn (none left at zero); fans E in, 3E out.
                var bound = Math.Sqrt(6.0 / (width + (3 * width)));
                for (var block = 0; block < 3; block++)
                {
                    var rows = values.AsSpan(block * width * width, width * width).ToArray();
                    AssertUniform(rows, bound, $"{name} block {block}");
                }
            }
            else if (name.EndsWith("in_proj_bias", StringComparison.Ordinal) || name.EndsWith("out_proj.bias", StringComparison.Ordinal))
            {
                Assert.All(values, v => Assert.Equal(0f, v));
            }
            else if (parameter.Shape.Length == 2)
            {
                AssertUniform(values, Math.Sqrt(6.0 / (parameter.Shape[0] + parameter.Shape[1])), name);
            }
        }

        var queries = mapper.DecoderPrompt.Value.ToFloatArray();
        var mean = queries.Average();
        var std = Math.Sqrt(queries.Average(q => (q - mean) * (q - mean)));
        Assert.InRange(std, 0.8, 1.2);   // 192 draws of N(0, 1): the sample std is within ±0.2 with overwhelming odds.
    }

    [Fact]
    public void An_untrained_mapper_already_maps_different_vokens_to_different_conditioning()
    {
        using var mapper = new FeatureMapper(Config);
        mapper.InitializeWeights(new Generator(3));
        using var scope = TensorScope.Enter();
        var vokens = Tensor.Randn([2, Config.Vokens, Config.LlmHidden], new Generator(4));   // two unrelated samples
        var output = mapper.Forward(vokens).ToFloatArray();
        var half = output.Length / 2;
        var meanSquaredDifference = Enumerable.Range(0, half).Average(i => Math.Pow(output[i] - output[half + i], 2));
        // Each output is LayerNormed (mean square ~1); zero-initialised attention gave exactly 0 here.
        Assert.True(meanSquaredDifference > 1e-2, $"Mean squared difference {meanSquaredDifference:G3}: the mapper ignores its input.");
    }

    private static void AssertUniform(float[] values, double bound, string name)
    {
        Assert.All(values, v => Assert.InRange(v, -bound, bound));
        // U(±b) has mean |x| = b / 2: far from the zeros of the saddle, and not a narrower draw.
        Assert.InRange(values.Average(v => Math.Abs(v)), 0.4 * bound, 0.6 * bound);
        Assert.True(values.Max() > 0.9 * bound && values.Min() < -0.9 * bound, $"{name} does not span ±{bound:G3}.");
    }
}
