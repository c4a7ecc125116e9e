using MiniGpt5.Models.Interleaved;
using MiniGpt5.Models.Llama;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Testing;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Recipe;
using MiniGpt5.Training.Tests.Support;

namespace MiniGpt5.Training.Tests.Recipe;

/// <summary>
/// Stage 1 then stage 2 of a tiny MiniGPT-5 (the golden LLaMA cut to 40 base rows, the tiny SD) for two steps each:
/// the exported folders load through <see cref="MiniGpt5Model.Load"/> with the release's key names, the embedding gained
/// 9 rows and only those learned (old rows move only by AdamW's weight decay), the mapper comes back as written, and
/// stage 2's LoRA is merged into q/v exactly as W + (α/r)·B·A.
/// </summary>
public sealed class StageCheckpointRoundTripTests
{
    [Fact]
    public async Task Stage_checkpoints_round_trip_through_MiniGpt5Model_loading()
    {
        using var temp = new TempFolder();
        var llmFolder = await TinyStageFolders.WriteBaseLlmAsync(temp.Path);
        var sdFolder = TinyStageFolders.WriteTinySd(temp.Path);
        var examples = Enumerable.Range(0, 4).Select(i => new MiniGpt5Example(
            i % 2 == 0 ? "abc de" : "fg hij", $"{PromptTemplates.AllVokens} ###", [null],
            temp.Image($"img{i}.png", 16, 16, (byte)(60 * i), 90, 200), i % 2 == 0 ? "a red" : "the left", $"t{i}")).ToList();
        var options = new MiniGpt5StageOptions
        {
            OutputDirectory = Path.Combine(temp.Path, "stage1"), Steps = 2, BatchSize = 2, LearningRate = 1e-2, WarmupSteps = 0,
            RandomFlip = false, Seed = 3,
        };
        var mapper = MiniGpt5Training.MapperFor(32, 32, 77, layers: 1, heads: 4);
        var stage1 = await MiniGpt5Training.Stage1Async(llmFolder, sdFolder, examples, null, mapper, options);

        using (var set = CheckpointSet.Open(Path.Combine(stage1, MiniGpt5Training.Stage1File)))
        using (var baseWeights = CheckpointSet.Open(llmFolder))
        using (var model = MiniGpt5Model.Load(stage1))
        using (var scope = TensorScope.Enter())
        {
            Assert.Equal(49, model.Llm.Model.EmbedTokens.Weight.Shape[0]);
            Assert.Contains("model.llama_model.model.embed_tokens.weight", set.Keys);
            Assert.Contains("llm_to_t2i_mapping.decoder.layers.0.multihead_attn.in_proj_weight", set.Keys);
            var embed = model.Llm.Model.EmbedTokens.Weight.Value.ToFloatArray();
            var original = Read(baseWeights, "model.embed_tokens.weight");
            // Old rows: only weight decay (lr 1e-2 · 0.01 · 2 steps) touches them.
            Close.Assert(original, embed[..original.Length], 3e-4, 0, "old embedding rows");
            Assert.NotEqual(original.Take(32), embed.Skip(40 * 32).Take(32));
            foreach (var (name, parameter) in model.Mapper.NamedParameters())
            {
                Assert.Equal(Read(set, name), parameter.Value.ToFloatArray());
            }
        }

        var stage2 = await MiniGpt5Training.Stage2Async(stage1, examples, null, options with
        {
            OutputDirectory = Path.Combine(temp.Path, "stage2"), Settings = MiniGpt5StageSettings.Stage2Defaults,
            Lora = new LoraConfig { Rank = 2, Alpha = 4, TargetModules = ["q_proj", "v_proj"] },
        });
        using (var set2 = CheckpointSet.Open(Path.Combine(stage2, MiniGpt5Training.Stage2File)))
        using (var set1 = CheckpointSet.Open(Path.Combine(stage2, MiniGpt5Training.Stage1File)))
        using (var baseWeights = CheckpointSet.Open(llmFolder))
        using (var model = MiniGpt5Model.Load(stage2))
        using (var scope = TensorScope.Enter())
        {
            Assert.DoesNotContain(set2.Keys, k => k.StartsWith("fc.", StringComparison.Ordinal) || k == "t2i_decoder_prompt");
            Assert.Equal(Read(set1, "fc.0.weight"), model.Mapper.Fc.In.Weight.Value.ToFloatArray());
            Assert.Equal(Read(set2, "llm_to_t2i_mapping.encoder.layers.0.linear1.weight"),
                model.Mapper.NamedParameters().Single(p => p.Name == "llm_to_t2i_mapping.encoder.layers.0.linear1.weight").Parameter.Value.ToFloatArray());
            Assert.Equal(Read(set2, "model.llama_model.base_model.model.model.embed_tokens.modules_to_save.default.weight"),
                model.Llm.Model.EmbedTokens.Weight.Value.ToFloatArray());
            const string Prefix = "model.llama_model.base_model.model.model.layers.1.self_attn.v_proj.";
            var a = Tensor.FromArray(Read(set2, Prefix + "lora_A.default.weight"), [2, 32]);
            var b = Tensor.FromArray(Read(set2, Prefix + "lora_B.default.weight"), [32, 2]);
            Assert.NotEqual(0f, b.ToFloatArray().Max(MathF.Abs));
            var expected = Tensor.FromArray(Read(baseWeights, "model.layers.1.self_attn.v_proj.weight"), [32, 32]) + (Ops.Matmul(b, a) * 2.0);
            Close.Assert(expected.ToFloatArray(), model.Llm.Model.Layers[1].SelfAttention.VProj.Weight.Value.ToFloatArray(), 1e-6, 0, "merged v_proj");
        }
    }

    private static float[] Read(CheckpointSet set, string key)
    {
        var t = set[key];
        using var view = Tensor.FromStorage(t.Storage, t.DType, t.Shape, t.Strides, t.ElementOffset);
        return view.ToFloatArray();
    }
}
