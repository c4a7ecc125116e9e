using MiniGpt5.Models.Tests.Interleaved;
using MiniGpt5.Models.VokenMapper;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Tests.VokenMapper;

/// <summary>
/// The voken mapper against PyTorch's own nn.Transformer(norm_first=True, batch_first=True, dropout 0) and model.py's
/// fc on a tiny config (LLM 64 → 32 wide, 4 heads, 2 + 2 layers, FFN 48, 6 queries): same state-dict keys, same
/// conditioning and negative conditioning. Float32; tolerance 1e-5 absolute + 1e-4 relative.
/// </summary>
public sealed class FeatureMapperGoldenTests
{
    private static readonly Lazy<Dictionary<string, (float[] Values, int[] Shape)>> Expected = new(() => Goldens.Tensors("mapper", "expected.safetensors"));

    internal static VokenMapperConfig TinyConfig { get; } = new()
    {
        LlmHidden = 64, Width = 32, Heads = 4, EncoderLayers = 2, DecoderLayers = 2, FeedForward = 48, Queries = 6, Vokens = 8,
    };

    [Fact]
    public void State_dict_keys_are_torch_keys()
    {
        using var mapper = new FeatureMapper(TinyConfig);
        var expected = Goldens.Json("mapper", "expected.json")["keys"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal);
        Assert.Equal(expected, mapper.StateDict().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal([96, 32], mapper.Transformer.Encoder.Layers[0].SelfAttention.InProjWeight.Shape.ToArray());
    }

    [Fact]
    public void Conditioning_and_the_negative_match_pytorch()
    {
        using var mapper = new FeatureMapper(TinyConfig);
        using (var weights = CheckpointSet.Open(Goldens.Path("mapper", "mapper.safetensors")))
        {
            mapper.Load(weights);
        }

        using var scope = TensorScope.Enter();
        var vokens = Tensor.Randn([2, 8, 64], new Generator(31));
        Goldens.Close(Expected.Value["fc"].Values, mapper.Fc.Forward(vokens).ToFloatArray(), 1e-5, 1e-4, "fc");
        var conditioning = mapper.Forward(vokens);
        Assert.Equal([2, 6, 32], conditioning.ShapeArray());
        Goldens.Close(Expected.Value["conditioning"].Values, conditioning.ToFloatArray(), 1e-5, 1e-4, "conditioning");
        var negative = mapper.NegativeConditioning();
        Assert.Equal([1, 6, 32], negative.ShapeArray());
        Goldens.Close(Expected.Value["negative"].Values, negative.ToFloatArray(), 1e-5, 1e-4, "negative conditioning");
    }

    [Fact]
    public void Voken_states_of_the_wrong_width_are_refused()
    {
        using var mapper = new FeatureMapper(TinyConfig);
        using var scope = TensorScope.Enter();
        var error = Assert.Throws<ArgumentException>(() => mapper.Forward(Tensor.Zeros([1, 8, 32])));
        Assert.Contains("[B, 8, 64]", error.Message, StringComparison.Ordinal);
    }
}
