using MiniGpt5.Models.Llama.Generation;
using MiniGpt5.Models.Tests.Interleaved;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Tests.Llama;

/// <summary>
/// The sampler against transformers 4.31's processors and torch.multinomial (tools/reference/minigpt5_goldens.py,
/// sampling_goldens): 30 steps of seeded torch.randn logits per setting, repeated ids in the history, exact ties at the top-k
/// boundary. The distributions agree to 1e-6 (float32 softmax, different summation order) and, with the same seed,
/// every draw is the same token.
/// </summary>
public sealed class TokenSamplerGoldenTests
{
    private static readonly Lazy<Dictionary<string, (float[] Values, int[] Shape)>> Tensors = new(() => Goldens.Tensors("sampling", "sampling.safetensors"));

    [Theory]
    [InlineData("minigpt5")]
    [InlineData("warm_topp")]
    [InlineData("topk_only")]
    public void Distributions_and_draws_match_transformers(string name)
    {
        var meta = Goldens.Json("sampling", "sampling.json")[name]!;
        var settings = meta["settings"]!;
        var options = new SamplingOptions
        {
            RepetitionPenalty = settings["penalty"]!.GetValue<double>(),
            Temperature = settings["temperature"]!.GetValue<double>(),
            TopK = settings["top_k"]!.GetValue<int>(),
            TopP = settings["top_p"]!.GetValue<double>(),
        };
        var expectedTokens = Goldens.Ints(meta["tokens"]);
        // torch.manual_seed(s); torch.randn(30, V) * 3 with column 10 tied to column 11, drawn the same way here.
        var vocab = meta["vocab"]!.GetValue<int>();
        using var randn = Tensor.Randn([30, vocab], new Generator(meta["logits_seed"]!.GetValue<ulong>()));
        var values = randn.ToFloatArray().Select(v => v * 3f).ToArray();
        for (var r = 0; r < 30; r++)
        {
            values[(r * vocab) + 10] = values[(r * vocab) + 11];
        }

        var logits = (values, new[] { 30, vocab });
        var probabilities = Tensors.Value[$"{name}.probabilities"];
        var sampler = new TokenSampler(vocab, options, new Generator(meta["seed"]!.GetValue<ulong>()));
        var history = new List<int> { 0 };
        for (var step = 0; step < expectedTokens.Length; step++)
        {
            var token = sampler.Next(Goldens.Row(logits, step), history.ToArray());
            Goldens.Close(Goldens.Row(probabilities, step), sampler.Probabilities, 1e-6, 1e-5, $"{name} step {step}");
            Assert.Equal(expectedTokens[step], token);
            history.Add(step % 3 != 0 ? token : 10);
        }
    }

    [Fact]
    public void Greedy_takes_the_first_maximum_after_the_repetition_penalty()
    {
        var sampler = new TokenSampler(4, SamplingOptions.Greedy with { RepetitionPenalty = 2.0 }, generator: null);
        // 3.0 halves to 1.5 (seen), so 2.0 wins; -1 would double, never halve.
        Assert.Equal(1, sampler.Next([3.0f, 2.0f, 2.0f, -1f], [0, 0, 3]));
        Assert.Equal(-2f, sampler.Scores[3]);
        Assert.Equal(0, TokenSampler.ArgMax([5f, 5f, 1f]));
    }

    [Fact]
    public void Torch_multinomial_consumes_one_variate_per_category()
    {
        // Two draws from the same generator depend on how many uniforms the first consumed.
        var a = new Generator(3);
        TorchMultinomial.Sample([0.5f, 0.5f, 0f], a);
        var b = new Generator(3);
        for (var i = 0; i < 6; i++)
        {
            b.NextUInt32();
        }

        Assert.Equal(a.NextUInt32(), b.NextUInt32());
        Assert.Throws<ArgumentException>(() => TorchMultinomial.Sample([0f, 0f], new Generator(1)));
        Assert.Throws<ArgumentException>(() => TorchMultinomial.Sample([0.5f, float.NaN], new Generator(1)));
    }

    [Fact]
    public void Bad_settings_name_the_setting()
    {
        Assert.Equal("TopP", Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(8, new SamplingOptions { TopP = 0 }, new Generator(1))).ParamName);
        Assert.Equal("Temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSampler(8, new SamplingOptions { Temperature = -1 }, new Generator(1))).ParamName);
        Assert.Throws<ArgumentNullException>(() => new TokenSampler(8, SamplingOptions.MiniGpt5, generator: null));
    }
}
