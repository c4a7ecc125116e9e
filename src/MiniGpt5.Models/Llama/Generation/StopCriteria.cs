namespace MiniGpt5.Models.Llama.Generation;

/// <summary>
/// When a generation stops, checked after each new token as transformers does: the sequence ends in one of the stop
/// sequences (MiniGPT-5's StoppingCriteriaSub), or the new token is an end-of-sequence id, or the maximum number of
/// new tokens is reached.
/// </summary>
public sealed record StopCriteria
{
    /// <summary>At most this many new tokens (transformers' max_new_tokens).</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Id runs that end generation when the sequence ends with one (matched on every step).</summary>
    public IReadOnlyList<int[]> StopSequences { get; init; } = [];

    /// <summary>Ids that end generation when produced (transformers' eos_token_id, possibly several).</summary>
    public IReadOnlyList<int> EndOfSequenceIds { get; init; } = [];

    /// <summary>Checks the settings.</summary>
    public void Validate()
    {
        if (MaxNewTokens <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "At least one new token must be allowed.");
        }

        if (StopSequences.Any(s => s is null || s.Length == 0))
        {
            throw new ArgumentException("Stop sequences must not be empty.", nameof(StopSequences));
        }
    }

    /// <summary>The reason to stop after <paramref name="sequence"/> got <paramref name="generated"/> new tokens, or null to go on.</summary>
    public StopReason? Check(ReadOnlySpan<int> sequence, int generated)
    {
        if (sequence.IsEmpty)
        {
            return null;
        }

        if (EndOfSequenceIds.Contains(sequence[^1]))
        {
            return StopReason.EndOfSequence;
        }

        foreach (var stop in StopSequences)
        {
            if (sequence.Length >= stop.Length && sequence[^stop.Length..].SequenceEqual(stop))
            {
                return StopReason.StopSequence;
            }
        }

        return generated >= MaxNewTokens ? StopReason.MaxNewTokens : null;
    }
}
