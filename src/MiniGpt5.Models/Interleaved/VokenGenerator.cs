using System.Diagnostics;
using System.Runtime.InteropServices;
using MiniGpt5.Models.Llama;
using MiniGpt5.Models.Llama.Generation;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// MiniGPT-5's generation loop (transformers 4.31 <c>generate</c> with MiniGPT-5's patched <c>sample</c> and
/// <c>prepare_inputs_for_generation</c>), step for step:
/// <list type="number">
/// <item>the prompt embeddings go through in one pass; <c>sequences</c> starts as [0], the dummy BOS of Vicuna-v0's
/// generation_config (so the repetition penalty also applies to id 0, and never to the prompt);</item>
/// <item>each step: repetition penalty, top-k, top-p, softmax, one draw; the id is appended; generation stops when the
/// ids end in a stop sequence, when id 1 (generation_config's eos) is drawn, or after max_new_tokens;</item>
/// <item>when <c>[IMG0]</c> is drawn, the next pass feeds all 8 vokens [IMG0]..[IMG7] at positions p..p+7 (causal among
/// themselves); only [IMG0] is in <c>sequences</c>, the cache grows by 8, the next id comes from the [IMG7] logits;</item>
/// <item>the features of the first voken block are concat(h that emitted [IMG0], h[IMG0..IMG6]) [1, 8, D], last layer
/// after the final RMSNorm — the 8 states whose next-token predictions are [IMG0]..[IMG7].</item>
/// </list>
/// One deliberate difference: when [IMG0] is the very last token allowed, transformers never runs the voken block and
/// MiniGPT-5 then fails on an index; here the block still runs (no further token is drawn) so the image exists.
/// </summary>
internal static class VokenGenerator
{
    /// <summary>Vicuna-v0 generation_config: bos 0 (the dummy first id), eos 1.</summary>
    public const int DummyBosId = 0;

    /// <summary>generation_config.eos_token_id of Vicuna-v0: drawing it ends generation.</summary>
    public const int GenerationEosId = 1;

    public static (List<int> Sequence, Tensor? Features, StopReason Reason, TimeSpan Prefill, TimeSpan Decode) Run(
        LlamaForCausalLM llm,
        Tensor promptEmbeds,
        IReadOnlyList<int> vokenIds,
        IReadOnlyList<int[]> stopSequences,
        MiniGpt5GenerationOptions options,
        Action<int>? onToken,
        CancellationToken cancellationToken)
    {
        var hiddenSize = llm.Config.HiddenSize;
        var promptLength = promptEmbeds.Shape[1];
        var stop = new StopCriteria { MaxNewTokens = options.MaxNewTokens, StopSequences = stopSequences, EndOfSequenceIds = [GenerationEosId] };
        stop.Validate();
        var sampler = new TokenSampler(llm.Config.VocabSize, options.Sampling, options.Sampling.IsGreedy ? null : new Generator(options.Seed));
        var vokenCount = vokenIds.Count;
        using var session = llm.CreateSession(promptLength + options.MaxNewTokens + ((vokenCount - 1) * options.MaxVokenBlocks));
        using var vokenInput = Tensor.FromArray<long>(vokenIds.Select(i => (long)i).ToArray(), [1, vokenCount]).DetachFromScope();

        // The hidden state that produced the current logits [D], kept for the voken features.
        var emitting = new float[hiddenSize];
        var watch = Stopwatch.StartNew();
        using (var hidden = session.Forward(promptEmbeds))
        {
            session.ComputeLogits(hidden, promptLength - 1);
            CopyRow(hidden, promptLength - 1, emitting);
        }

        var prefill = watch.Elapsed;
        watch.Restart();
        var sequence = new List<int>(options.MaxNewTokens + 1) { DummyBosId };
        Tensor? features = null;
        var blocks = 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var token = sampler.Next(session.Logits, CollectionsMarshal.AsSpan(sequence));
                sequence.Add(token);
                onToken?.Invoke(token);
                var stopped = stop.Check(CollectionsMarshal.AsSpan(sequence), sequence.Count - 1);
                if (token == vokenIds[0])
                {
                    if (blocks == options.MaxVokenBlocks)
                    {
                        return (sequence, features, StopReason.ContextFull, prefill, watch.Elapsed);
                    }

                    blocks++;
                    using var block = RunVokenBlock(llm, session, vokenInput);                     // [1, 8, D]
                    if (features is null)
                    {
                        using var emitted = Tensor.FromArray<float>(emitting, [1, 1, hiddenSize]);
                        using var first = block.Narrow(1, 0, vokenCount - 1);                     // h[IMG0..IMG6]
                        features = Ops.Cat([emitted, first], dim: 1).DetachFromScope();            // [1, 8, D]
                    }

                    session.ComputeLogits(block, vokenCount - 1);
                    CopyRow(block, vokenCount - 1, emitting);
                }
                else if (stopped is null)
                {
                    session.Step(token);
                    session.LastHidden.CopyTo(emitting);
                }

                if (stopped is { } reason)
                {
                    return (sequence, features, reason, prefill, watch.Elapsed);
                }
            }
        }
        catch
        {
            features?.Dispose();
            throw;
        }
    }

    /// <summary>[IMG0]..[IMG7] in one causal chunk after the cache → final-norm hidden states [1, 8, D].</summary>
    private static Tensor RunVokenBlock(LlamaForCausalLM llm, LlamaInferenceSession session, Tensor vokenInput)
    {
        using var scope = TensorScope.Enter();
        return session.Forward(llm.Model.Embed(vokenInput)).MoveToOuterScope();
    }

    private static void CopyRow(Tensor hidden, int row, float[] destination)
    {
        using var slice = hidden.Narrow(1, row, 1);
        using var contiguous = slice.Contiguous();
        contiguous.AsSpan<float>().CopyTo(destination);
    }
}
