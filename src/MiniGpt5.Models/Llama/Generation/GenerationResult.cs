namespace MiniGpt5.Models.Llama.Generation;

/// <summary>What a generation produced: the new token ids (without the prompt), why it stopped, and timings.</summary>
public sealed record GenerationResult(IReadOnlyList<int> Tokens, StopReason StopReason, GenerationTimings Timings);

/// <summary>Wall-clock split of a generation: the prompt pass and the token-by-token steps.</summary>
public sealed record GenerationTimings(TimeSpan Prefill, int PromptTokens, TimeSpan Decode, int DecodedTokens)
{
    /// <summary>Prompt tokens per second.</summary>
    public double PrefillTokensPerSecond => Prefill.TotalSeconds > 0 ? PromptTokens / Prefill.TotalSeconds : double.NaN;

    /// <summary>Tokens per second of the one-token steps.</summary>
    public double DecodeTokensPerSecond => Decode.TotalSeconds > 0 ? DecodedTokens / Decode.TotalSeconds : double.NaN;
}
