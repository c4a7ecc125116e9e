using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Tests.StableDiffusion.TextEncoder;

/// <summary>
/// The tiny CLIPTextModel of tests/golden/sd against the PyTorch reference (transformers' modeling_clip.py) on the
/// SD-2 tokenizer's ids for a prompt and for "": every layer and last_hidden_state; the same weights with quick_gelu.
/// Its text_encoder file carries the position_ids buffer, which must be ignored. Tolerance: 1e-4 relative.
/// </summary>
public sealed class ClipTextModelGoldenTests
{
    private const double Tolerance = 1e-4;
    private const string File = "models.safetensors";

    [Fact]
    public void Last_hidden_state_and_every_layer_match_reference()
    {
        using var encoder = ClipTextModel.FromPretrained(Path.Combine(SdGoldens.TinyModel, "text_encoder"));
        Assert.Equal("gelu", encoder.Config.HiddenAct);
        using var scope = TensorScope.Enter();
        using var sink = new RecordingSink();
        var hidden = encoder.Forward(SdGoldens.Load(File, "text.ids"), sink);
        for (var i = 0; i < encoder.Config.NumHiddenLayers; i++)
        {
            var name = $"text_model.encoder.layers.{i}";
            SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "text." + name), sink.Values[name], Tolerance, name);
        }

        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "text.last_hidden_state"), hidden, Tolerance, "last_hidden_state");
    }

    [Fact]
    public void Quick_gelu_towers_use_the_sigmoid_approximation()
    {
        var folder = Path.Combine(SdGoldens.TinyModel, "text_encoder");
        using var encoder = new ClipTextModel(ClipTextConfig.Load(Path.Combine(folder, "config.json")) with { HiddenAct = "quick_gelu" });
        MiniGpt5.Models.StableDiffusion.ComponentWeights.Load(encoder, folder, ignoredPatterns: ClipTextModel.IgnoredKeys);
        using var scope = TensorScope.Enter();
        var hidden = encoder.Forward(SdGoldens.Load(File, "text.ids"));
        SdGoldens.AssertCloseRelative(SdGoldens.Load(File, "text.quick_gelu.last_hidden_state"), hidden, Tolerance, "quick_gelu last_hidden_state");
    }
}
