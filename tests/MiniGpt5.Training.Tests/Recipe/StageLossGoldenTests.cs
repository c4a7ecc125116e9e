using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Nn;
using MiniGpt5.Models.StableDiffusion.Schedulers;
using MiniGpt5.Models.StableDiffusion.TextEncoder;
using MiniGpt5.Models.StableDiffusion.UNet;
using MiniGpt5.Models.StableDiffusion.Vae;
using MiniGpt5.Models.VokenMapper;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Testing;
using MiniGpt5.Text.Clip;
using MiniGpt5.Text.Llama;
using MiniGpt5.Training.Autograd;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Losses;
using MiniGpt5.Training.Recipe;
using MiniGpt5.Training.Tests.Support;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Tests.Recipe;

/// <summary>
/// MiniGPT-5's stage-1 and stage-2 losses on a tiny model against tools/reference/recipe_goldens.py
/// (tests/golden/recipe): input_warp, the causal-LM loss, the voken features, the mapper, the LDM loss (same seed, same
/// posterior sample / noise / timesteps), the CAP loss and the weighted total, and the gradients of what each stage
/// trains. Tolerances: losses 1e-5 relative; hidden-state features 1e-4; gradients 2e-4 of the largest entry (float32
/// through two transformers and a UNet, summed in a different order).
/// </summary>
public sealed class StageLossGoldenTests
{
    private static readonly string Root = TinyRecipeParts.Root;

    [Fact]
    public void Stage1_loss_parts_and_gradients_match_torch()
    {
        using var golden = CheckpointSet.Open(Path.Combine(Root, "stage.safetensors"));
        using var parts = new TinyRecipeParts();
        using var scope = TensorScope.Enter();
        var embed = parts.Model.Llm.Model.EmbedTokens.Weight;
        var head = parts.Model.Llm.LmHead!.Weight;
        var mapper = parts.Model.Mapper;
        foreach (var p in new[] { embed, head }.Concat(mapper.NamedParameters().Select(p => p.Parameter)))
        {
            p.Trainable = true;
            ParameterLeaves.Prepare(p);
        }

        using var batch = TinyRecipeParts.Batch(golden);
        var task = new MiniGpt5StageTask(parts.Model, parts.Ldm, parts.Captions, new MiniGpt5StageSettings { GuidanceDropout = 0 });
        using var store = new GradientStore();
        using var tape = GradientTape.Start();
        var context = new StepContext(0, 0, new Generator(777), Training: true);
        var losses = task.Forward(batch, context);
        Close.Assert(Read(golden, "0.vokens"), losses.VokenFeatures!.ToFloatArray(), 1e-4, 1e-5, "voken features");
        Close.Assert(Read(golden, "0.mapping"), losses.Mapping!.ToFloatArray(), 1e-4, 1e-5, "mapping");
        Close.Assert(Read(golden, "0.text"), [losses.Text.Item<float>()], 1e-5, 0, "text loss");
        Close.Assert(Read(golden, "0.ldm"), [losses.Ldm!.Item<float>()], 1e-5, 0, "LDM loss");
        Close.Assert(Read(golden, "0.cap"), [losses.Cap!.Item<float>()], 1e-5, 0, "CAP loss");
        var total = (losses.Text * 0.01) + losses.Ldm + (losses.Cap * 0.1);
        Close.Assert(Read(golden, "0.total"), [total.Item<float>()], 1e-5, 0, "total");
        tape.Backward(total, store);
        AssertGradient(golden, "0.grad.embed", store.Get(embed)!, "d embed_tokens");
        AssertGradient(golden, "0.grad.head", store.Get(head)!, "d lm_head");
        AssertGradient(golden, "0.grad.fc0", store.Get(mapper.Fc.In.Weight)!, "d fc.0.weight");
        AssertGradient(golden, "0.grad.queries", store.Get(mapper.DecoderPrompt)!, "d t2i_decoder_prompt");
        AssertGradient(golden, "0.grad.linear1", store.Get(Encoder0Linear1(mapper))!, "d encoder.layers.0.linear1.weight");
    }

    [Fact]
    public void Stage2_loss_with_lora_and_gradients_match_torch()
    {
        using var golden = CheckpointSet.Open(Path.Combine(Root, "stage.safetensors"));
        using var parts = new TinyRecipeParts();
        using var loraFile = CheckpointSet.Open(Path.Combine(Root, "lora.safetensors"));
        using var lora = new LlamaLora(parts.Model.Llm.Config, new LoraConfig { Rank = 2, Alpha = 4, TargetModules = ["q_proj", "v_proj"] });
        lora.LoadAdapters(loraFile, string.Empty);
        parts.Model.Llm.ApplyLora(lora, merge: false);
        using var scope = TensorScope.Enter();
        var embed = parts.Model.Llm.Model.EmbedTokens.Weight;
        var trained = lora.NamedParameters().Select(p => p.Parameter).Append(embed).Append(parts.Model.Llm.LmHead!.Weight)
            .Concat(parts.Model.Mapper.Transformer.NamedParameters().Select(p => p.Parameter));
        foreach (var p in trained)
        {
            p.Trainable = true;
            ParameterLeaves.Prepare(p);
        }

        using var batch = TinyRecipeParts.Batch(golden);
        var task = new MiniGpt5StageTask(parts.Model, parts.Ldm, null, MiniGpt5StageSettings.Stage2Defaults with { GuidanceDropout = 0 });
        using var store = new GradientStore();
        using var tape = GradientTape.Start();
        var result = task.Loss(batch, new StepContext(0, 0, new Generator(777), Training: true));
        Assert.False(result.Components.ContainsKey("cap"));
        Close.Assert(Read(golden, "1.text"), [(float)result.Components["text"]], 1e-5, 0, "text loss");
        Close.Assert(Read(golden, "1.ldm"), [(float)result.Components["ldm"]], 1e-5, 0, "LDM loss");
        Close.Assert(Read(golden, "1.total"), [result.Loss.Item<float>()], 1e-5, 0, "total");
        tape.Backward(result.Loss, store);
        AssertGradient(golden, "1.grad.embed", store.Get(embed)!, "d embed_tokens");
        AssertGradient(golden, "1.grad.lora_A", store.Get(lora.Adapters[0]["q_proj"].A.Weight)!, "d layer 0 q_proj lora_A");
        AssertGradient(golden, "1.grad.lora_B", store.Get(lora.Adapters[1]["v_proj"].B.Weight)!, "d layer 1 v_proj lora_B");
        AssertGradient(golden, "1.grad.linear1", store.Get(Encoder0Linear1(parts.Model.Mapper))!, "d encoder.layers.0.linear1.weight");
    }

    [Fact]
    public void Caption_ids_of_the_golden_are_what_the_clip_tokenizer_gives()
    {
        var tokenizer = ClipTokenizer.Load(Path.Combine(RepoPaths.RepoRoot, "tests", "data", "text", "clip-sd2"));
        using var golden = CheckpointSet.Open(Path.Combine(Root, "stage.safetensors"));
        using var cases = System.Text.Json.JsonDocument.Parse(golden.Metadata["cases"]);
        var stage1 = cases.RootElement[0].GetProperty("params");
        var captions = stage1.GetProperty("captions").EnumerateArray().Select(c => c.GetString()!).ToList();
        var ids = stage1.GetProperty("ids").EnumerateArray().Select(r => r.EnumerateArray().Select(i => i.GetInt32()).ToArray()).ToList();
        for (var i = 0; i < captions.Count; i++)
        {
            Assert.Equal(ids[i], tokenizer.EncodeForModel(captions[i]).InputIds);
        }
    }

    private static Parameter Encoder0Linear1(FeatureMapper mapper) =>
        mapper.NamedParameters().Single(p => p.Name == "llm_to_t2i_mapping.encoder.layers.0.linear1.weight").Parameter;

    private static float[] Read(CheckpointSet set, string key)
    {
        using var tensor = TinyRecipeParts.Tensor(set, key);
        return tensor.ToFloatArray();
    }

    private static void AssertGradient(CheckpointSet golden, string key, Tensor actual, string what)
    {
        var expected = Read(golden, key);
        var scale = expected.Max(MathF.Abs);
        Close.Assert(expected, actual.ToFloatArray(), 0, 2e-4 * scale, what);
    }
}
