using System.Diagnostics;
using System.Runtime.InteropServices;
using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Llama.Generation;

/// <summary>
/// Plain text generation with a LLaMA model, as transformers' <c>generate(input_ids)</c> runs it for one sequence:
/// the prompt in one pass, then one token per step through the session's allocation-free path. The repetition
/// penalty sees the prompt and the generated ids (transformers passes the whole sequence).
/// </summary>
public static class LlamaTextGenerator
{
    /// <summary>
    /// Generates after <paramref name="promptIds"/> (BOS included if the model wants one). <paramref name="onToken"/>
    /// sees each new id as it is chosen (streaming). The generator is seeded with <paramref name="seed"/> (ignored when greedy).
    /// </summary>
    public static GenerationResult Generate(
        LlamaForCausalLM model,
        IReadOnlyList<int> promptIds,
        SamplingOptions sampling,
        StopCriteria stop,
        ulong seed,
        Action<int>? onToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(promptIds);
        ArgumentNullException.ThrowIfNull(sampling);
        ArgumentNullException.ThrowIfNull(stop);
        stop.Validate();
        if (promptIds.Count == 0)
        {
            throw new ArgumentException("The prompt must hold at least one token (usually BOS).", nameof(promptIds));
        }

        var vocab = model.Config.VocabSize;
        foreach (var id in promptIds)
        {
            if ((uint)id >= (uint)vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(promptIds), id, $"Prompt token {id} is outside the model's vocabulary of {vocab}.");
            }
        }

        var sampler = new TokenSampler(vocab, sampling, sampling.IsGreedy ? null : new Generator(seed));
        var sequence = new List<int>(promptIds.Count + stop.MaxNewTokens);
        sequence.AddRange(promptIds);
        var generated = new List<int>(stop.MaxNewTokens);
        using var session = model.CreateSession(promptIds.Count + stop.MaxNewTokens);

        var watch = Stopwatch.StartNew();
        using (var hidden = session.ForwardTokens(promptIds.ToArray()))
        {
            session.ComputeLogits(hidden, promptIds.Count - 1);
        }

        var prefill = watch.Elapsed;
        watch.Restart();
        var steps = 0;
        StopReason reason;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var token = sampler.Next(session.Logits, CollectionsMarshal.AsSpan(sequence));
            sequence.Add(token);
            generated.Add(token);
            onToken?.Invoke(token);
            if (stop.Check(CollectionsMarshal.AsSpan(sequence), generated.Count) is { } stopped)
            {
                reason = stopped;
                break;
            }

            session.Step(token);
            steps++;
        }

        return new GenerationResult(generated, reason, new GenerationTimings(prefill, promptIds.Count, watch.Elapsed, steps));
    }
}
