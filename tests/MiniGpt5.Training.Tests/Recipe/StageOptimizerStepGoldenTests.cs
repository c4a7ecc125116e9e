using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Training.Data;
using MiniGpt5.Training.Optim;
using MiniGpt5.Training.Recipe;
using MiniGpt5.Training.Tests.Support;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Tests.Recipe;

/// <summary>
/// Whole optimisation steps of the tiny MiniGPT-5 against tools/reference/recipe_step_goldens.py
/// (tests/golden/recipe/step.safetensors, torch.optim.AdamW + LambdaLR + clip_grad_norm_): our real trainer
/// (<see cref="MiniGpt5Training.CreateTrainer"/>) over <see cref="MiniGpt5Training.Stage1Parameters"/> /
/// <see cref="MiniGpt5Training.Stage2Parameters"/> runs two steps of a 2-step run on the goldens' batch — warmup lr
/// factor 0 then 1 (Adam's moments move at step 0, bias correction t = 2 at step 1), lr 1e-3 with token rows × 2 and
/// the stage-1 mapper × 10, weight decay 0.01, new-row gradient mask, global clip to 0.5 (the gradient norm is ~2.5, so
/// it clips). Noise and timesteps are the goldens' (the task draws from a generator seeded 777 each step, as
/// torch.manual_seed(777) there); guidance dropout off. Tolerances: each step's loss 1e-5 relative; the parameters
/// after step 2 within 1e-6 + 1e-4 relative, i.e. well under a single step's size (lr 1e-3..1e-2).
/// </summary>
public sealed class StageOptimizerStepGoldenTests
{
    private static readonly MiniGpt5StageOptions Options = new()
    {
        OutputDirectory = "unused", Steps = 2, BatchSize = 2, LearningRate = 1e-3, TokenRowLearningRateScale = 2, MapperLearningRateScale = 10,
        WeightDecay = 0.01, WarmupSteps = 1, MaxGradNorm = 0.5, CheckpointEvery = 0, Resume = false,
    };

    [Fact]
    public async Task Stage1_two_trainer_steps_match_torch_AdamW()
    {
        using var golden = CheckpointSet.Open(Path.Combine(TinyRecipeParts.Root, "step.safetensors"));
        using var parts = new TinyRecipeParts();
        var (groups, masks) = MiniGpt5Training.Stage1Parameters(parts.Model, Options);
        var task = new MiniGpt5StageTask(parts.Model, parts.Ldm, parts.Captions, new MiniGpt5StageSettings { GuidanceDropout = 0 });
        var losses = await TrainAsync(task, groups, masks);

        var embed = parts.Model.Llm.Model.EmbedTokens.Weight;
        using var initial = CheckpointSet.Open(Path.Combine(TinyRecipeParts.Root, "llm", "model.safetensors"));
        Close.Assert(Golden(golden, "0.losses"), losses, 1e-5, 0, "stage-1 losses");
        Close.Assert(Golden(golden, "0.embed"), embed.Value.ToFloatArray(), 1e-4, 1e-6, "embed_tokens after 2 steps");
        Close.Assert(Golden(golden, "0.head"), parts.Model.Llm.LmHead!.Weight.Value.ToFloatArray(), 1e-4, 1e-6, "lm_head after 2 steps");
        Close.Assert(Golden(golden, "0.fc0"), parts.Model.Mapper.Fc.In.Weight.Value.ToFloatArray(), 1e-4, 1e-6, "fc.0.weight after 2 steps");
        Close.Assert(Golden(golden, "0.queries"), parts.Model.Mapper.DecoderPrompt.Value.ToFloatArray(), 1e-4, 1e-6, "t2i_decoder_prompt after 2 steps");
        Close.Assert(Golden(golden, "0.linear1"), Linear1(parts).Value.ToFloatArray(), 1e-4, 1e-6, "encoder.layers.0.linear1.weight after 2 steps");
        AssertOnlyNewRowsLearn(Golden(initial, "model.embed_tokens.weight"), embed.Value.ToFloatArray());
    }

    [Fact]
    public async Task Stage2_two_trainer_steps_with_lora_match_torch_AdamW()
    {
        using var golden = CheckpointSet.Open(Path.Combine(TinyRecipeParts.Root, "step.safetensors"));
        using var parts = new TinyRecipeParts();
        using var loraFile = CheckpointSet.Open(Path.Combine(TinyRecipeParts.Root, "lora.safetensors"));
        using var lora = new LlamaLora(parts.Model.Llm.Config, new LoraConfig { Rank = 2, Alpha = 4, TargetModules = ["q_proj", "v_proj"] });
        lora.LoadAdapters(loraFile, string.Empty);
        parts.Model.Llm.ApplyLora(lora, merge: false);
        var (groups, masks) = MiniGpt5Training.Stage2Parameters(parts.Model, lora, Options);
        Assert.DoesNotContain(groups.SelectMany(g => g.Parameters), p => p.Name is "fc.0.weight" or "t2i_decoder_prompt");
        var task = new MiniGpt5StageTask(parts.Model, parts.Ldm, null, MiniGpt5StageSettings.Stage2Defaults with { GuidanceDropout = 0 });
        var losses = await TrainAsync(task, groups, masks);

        Close.Assert(Golden(golden, "1.losses"), losses, 1e-5, 0, "stage-2 losses");
        Close.Assert(Golden(golden, "1.embed"), parts.Model.Llm.Model.EmbedTokens.Weight.Value.ToFloatArray(), 1e-4, 1e-6, "embed_tokens after 2 steps");
        Close.Assert(Golden(golden, "1.head"), parts.Model.Llm.LmHead!.Weight.Value.ToFloatArray(), 1e-4, 1e-6, "lm_head after 2 steps");
        Close.Assert(Golden(golden, "1.lora_A"), lora.Adapters[0]["q_proj"].A.Weight.Value.ToFloatArray(), 1e-4, 1e-6, "layer 0 q_proj lora_A after 2 steps");
        Close.Assert(Golden(golden, "1.lora_B"), lora.Adapters[1]["v_proj"].B.Weight.Value.ToFloatArray(), 1e-4, 1e-6, "layer 1 v_proj lora_B after 2 steps");
        Close.Assert(Golden(golden, "1.linear1"), Linear1(parts).Value.ToFloatArray(), 1e-4, 1e-6, "encoder.layers.0.linear1.weight after 2 steps");
    }

    private static async Task<float[]> TrainAsync(MiniGpt5StageTask task, IReadOnlyList<ParameterGroup> groups, IReadOnlyList<GradientRowMask> masks)
    {
        using var temp = new TempFolder();
        var losses = new List<float>();
        var trainer = MiniGpt5Training.CreateTrainer(new GoldenNoiseTask(task), groups, masks, new GoldenBatchSource(), null, Options with { OutputDirectory = temp.Path });
        await trainer.RunAsync(new LossRecorder(losses));
        Assert.Equal(2, losses.Count);
        return [.. losses];
    }

    private static void AssertOnlyNewRowsLearn(float[] before, float[] after)
    {
        // Old rows [0, 40): no gradient, so AdamW only decays them: at most lr·wd·|w| over the two steps (lr 2e-3 at step 1).
        for (var i = 0; i < 40 * 32; i++)
        {
            Assert.True(Math.Abs(after[i] - before[i]) <= (2e-3 * 0.01 * Math.Abs(before[i])) + 1e-7, $"old embedding entry {i} moved from {before[i]} to {after[i]}");
        }
    }

    private static Parameter Linear1(TinyRecipeParts parts) =>
        parts.Model.Mapper.NamedParameters().Single(p => p.Name == "llm_to_t2i_mapping.encoder.layers.0.linear1.weight").Parameter;

    private static float[] Golden(CheckpointSet set, string key)
    {
        using var tensor = TinyRecipeParts.Tensor(set, key);
        return tensor.ToFloatArray();
    }

    /// <summary>The stage task with the goldens' noise: every step draws from a generator seeded 777, as the reference
    /// calls torch.manual_seed(777) before each loss (the trainer's own per-step seeds are a different, equally fixed choice).</summary>
    private sealed class GoldenNoiseTask(MiniGpt5StageTask inner) : ITrainingTask<MiniGpt5Batch>
    {
        public LossResult Loss(MiniGpt5Batch batch, StepContext context) => inner.Loss(batch, context with { Random = new Generator(777) });
    }

    /// <summary>The goldens' batch, a fresh copy per step.</summary>
    private sealed class GoldenBatchSource : IBatchSource<MiniGpt5Batch>
    {
        public int Count => 2;

        public Task<MiniGpt5Batch> LoadAsync(IReadOnlyList<int> indices, ulong seed, CancellationToken cancellationToken)
        {
            using var golden = CheckpointSet.Open(Path.Combine(TinyRecipeParts.Root, "stage.safetensors"), cancellationToken: cancellationToken);
            using var scope = TensorScope.Enter();
            return Task.FromResult(TinyRecipeParts.Batch(golden));
        }
    }

    private sealed class LossRecorder(List<float> losses) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Checkpoint is null)
            {
                losses.Add((float)value.Loss);
            }
        }
    }
}
