using System.Reflection;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Llama.Generation;
using MiniGpt5.Models.Tests.Interleaved;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Tests.Llama;

/// <summary>
/// The LLaMA decoder against tools/reference/minigpt5_goldens.py (transformers 4.31 semantics) on tiny random
/// configs: 2 layers, hidden 64, GQA 4 query / 2 KV heads, vocab 320. Float32 weights agree to 2e-5 absolute +
/// 1e-4 relative (summation order only); fp16/bf16 weights are rounded identically on both sides (the reference
/// rounds, then computes in float32), so the same tolerance holds.
/// </summary>
public sealed class LlamaGoldenTests
{
    private const double Atol = 2e-5;
    private const double Rtol = 1e-4;

    private static readonly Lazy<Dictionary<string, (float[] Values, int[] Shape)>> Expected = new(() => Goldens.Tensors("llama", "expected.safetensors"));
    private static readonly Lazy<System.Text.Json.Nodes.JsonObject> Meta = new(() => Goldens.Json("llama", "expected.json"));

    private static int[] Prompt => Goldens.Ints(Meta.Value["prompt"]);

    [Fact]
    public void Stateless_forward_of_the_prompt_matches_every_position()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"));
        Assert.Equal(4, model.Config.NumHeads);
        Assert.Equal(2, model.Config.NumKeyValueHeads);
        using var ids = Tensor.FromArray<long>(Prompt.Select(i => (long)i).ToArray(), [1, Prompt.Length]);
        using var logits = model.Forward(ids);
        Assert.Equal([1, Prompt.Length, 320], logits.ShapeArray());
        Goldens.Close(Expected.Value["prefill_logits"].Values, logits.ToFloatArray(), Atol, Rtol, "prefill logits");
    }

    [Fact]
    public void Prefill_then_twenty_cached_steps_match_logits_and_final_hidden_states()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"));
        using var session = model.CreateSession(64);
        using (var hidden = session.ForwardTokens(Prompt))
        {
            Goldens.Close(Expected.Value["prefill_hidden"].Values, hidden.ToFloatArray(), Atol, Rtol, "prefill hidden");
            Goldens.Close(Goldens.Row(Expected.Value["prefill_logits"], Prompt.Length - 1), session.ComputeLogits(hidden, Prompt.Length - 1), Atol, Rtol, "last prompt logits");
        }

        var forced = Goldens.Ints(Meta.Value["forced"]);
        for (var step = 0; step < forced.Length; step++)
        {
            var logits = session.Step(forced[step]);
            Goldens.Close(Goldens.Row(Expected.Value["decode_logits"], step), logits, Atol, Rtol, $"step {step} logits");
            Goldens.Close(Goldens.Row(Expected.Value["decode_hidden"], step), session.LastHidden, Atol, Rtol, $"step {step} hidden");
        }

        Assert.Equal(Prompt.Length + forced.Length, session.Length);
    }

    [Fact]
    public void A_chunk_after_the_prompt_is_causal_among_itself_and_sees_the_cache()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"));
        using var session = model.CreateSession(32);
        session.ForwardTokens(Prompt).Dispose();
        using var hidden = session.ForwardTokens(Goldens.Ints(Meta.Value["block"]));
        using var logits = model.Logits(hidden);
        Goldens.Close(Expected.Value["block_logits"].Values, logits.ToFloatArray(), Atol, Rtol, "8-token chunk logits");
    }

    [Fact]
    public void Greedy_generation_picks_the_reference_tokens()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"));
        var streamed = new List<int>();
        var result = LlamaTextGenerator.Generate(model, Prompt, SamplingOptions.Greedy, new StopCriteria { MaxNewTokens = 20 }, seed: 0, streamed.Add);
        Assert.Equal(Goldens.Ints(Meta.Value["greedy"]), result.Tokens);
        Assert.Equal(result.Tokens, streamed);
        Assert.Equal(StopReason.MaxNewTokens, result.StopReason);
    }

    [Fact]
    public void Sampling_with_the_same_seed_draws_the_same_tokens_as_torch()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"));
        var seed = Meta.Value["sampled_seed"]!.GetValue<ulong>();
        var result = LlamaTextGenerator.Generate(model, Prompt, SamplingOptions.MiniGpt5, new StopCriteria { MaxNewTokens = 20 }, seed);
        Assert.Equal(Goldens.Ints(Meta.Value["sampled"]), result.Tokens);
    }

    [Fact]
    public void Stop_sequences_and_end_of_sequence_ids_end_generation_with_the_token_kept()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"));
        var greedy = Goldens.Ints(Meta.Value["greedy"]);
        var bySequence = LlamaTextGenerator.Generate(model, Prompt, SamplingOptions.Greedy,
            new StopCriteria { MaxNewTokens = 20, StopSequences = [[greedy[3], greedy[4]]] }, 0);
        Assert.Equal(greedy[..5], bySequence.Tokens);
        Assert.Equal(StopReason.StopSequence, bySequence.StopReason);

        var byEos = LlamaTextGenerator.Generate(model, Prompt, SamplingOptions.Greedy,
            new StopCriteria { MaxNewTokens = 20, EndOfSequenceIds = [greedy[2]] }, 0);
        Assert.Equal(greedy[..3], byEos.Tokens);
        Assert.Equal(StopReason.EndOfSequence, byEos.StopReason);
    }

    [Fact]
    public void Bfloat16_weights_run_with_float32_activations()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"), new LlamaLoadOptions { WeightDType = DType.BFloat16 });
        Assert.Equal(DType.BFloat16, model.WeightDType);
        Assert.Equal(DType.BFloat16, model.Model.Layers[0].Mlp.UpProj.Weight.Value.DType);
        using var session = model.CreateSession(16);
        using var hidden = session.ForwardTokens(Prompt.AsSpan(0, Prompt.Length - 1));
        Goldens.Close(Goldens.Row(Expected.Value["bf16_logits"], Prompt.Length - 2), session.ComputeLogits(hidden, Prompt.Length - 2), Atol, Rtol, "bf16 prefill");
        // The last prompt token through the one-token path (bf16 embedding row converted into the f32 stream).
        Goldens.Close(Goldens.Row(Expected.Value["bf16_logits"], Prompt.Length - 1), session.Step(Prompt[^1]), Atol, Rtol, "bf16 step");
    }

    [Fact]
    public void Tied_fp16_weights_in_bin_shards_load_and_the_rotary_buffers_are_ignored()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "tied_fp16_bin"));
        Assert.Null(model.LmHead);
        Assert.Equal(DType.Float16, model.WeightDType);
        Assert.Equal(500.0, model.Config.RopeTheta);
        using var ids = Tensor.FromArray<long>(Prompt.Select(i => (long)i).ToArray(), [1, Prompt.Length]);
        using var logits = model.Forward(ids);
        Goldens.Close(Expected.Value["tied_fp16_logits"].Values, logits.ToFloatArray(), Atol, Rtol, "tied fp16 logits");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Lora_adapters_in_minigpt5_layout_merge_or_apply_on_the_fly(bool merge)
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"));
        using var weights = CheckpointSet.Open(Goldens.Path("llama", "lora_default.safetensors"));
        using var lora = LlamaLora.FromCheckpoint(model.Config, weights, "base_model.model.", alpha: 8);
        Assert.Equal(4, lora.Config.Rank);
        Assert.Equal(2.0, lora.Config.Scale);
        Assert.Equal(["q_proj", "v_proj"], lora.Config.TargetModules);
        model.ApplyLora(lora, merge);
        CheckLoraLogits(model);
    }

    [Fact]
    public void A_peft_adapter_folder_without_adapter_names_in_its_keys_loads()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"));
        using var lora = LlamaLora.FromPeftFolder(model.Config, Goldens.Path("llama", "lora_peft"));
        Assert.Equal(0.05, lora.Config.Dropout);
        model.ApplyLora(lora, merge: true);
        CheckLoraLogits(model);
    }

    [Fact]
    public void A_decode_step_allocates_no_tensor_storage()
    {
        var counter = typeof(NativeStorage).GetProperty("AllocationsOnThisThread", BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var dtype in new[] { DType.Float32, DType.BFloat16 })
        {
            using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"), new LlamaLoadOptions { WeightDType = dtype });
            using var session = model.CreateSession(64);
            session.ForwardTokens(Prompt).Dispose();
            session.Step(5);
            var before = (long)counter.GetValue(null)!;
            for (var i = 0; i < 10; i++)
            {
                session.Step(7 + i);
            }

            Assert.Equal(before, (long)counter.GetValue(null)!);
        }
    }

    [Fact]
    public void The_kv_cache_refuses_to_overflow_with_a_clear_message()
    {
        using var model = LlamaForCausalLM.Load(Goldens.Path("llama", "gqa"));
        using var session = model.CreateSession(Prompt.Length + 1);
        session.ForwardTokens(Prompt).Dispose();
        session.Step(3);
        var error = Assert.Throws<InvalidOperationException>(() => session.Step(4));
        Assert.Contains($"holds {Prompt.Length + 1} of {Prompt.Length + 1} positions", error.Message, StringComparison.Ordinal);
    }

    private static void CheckLoraLogits(LlamaForCausalLM model)
    {
        using var session = model.CreateSession(32);
        using (var hidden = session.ForwardTokens(Prompt))
        using (var logits = model.Logits(hidden))
        {
            Goldens.Close(Expected.Value["lora_prefill_logits"].Values, logits.ToFloatArray(), Atol, Rtol, "LoRA prefill");
        }

        var forced = Goldens.Ints(Meta.Value["forced"]);
        for (var step = 0; step < 5; step++)
        {
            Goldens.Close(Goldens.Row(Expected.Value["lora_decode_logits"], step), session.Step(forced[step]), Atol, Rtol, $"LoRA step {step}");
        }
    }
}
