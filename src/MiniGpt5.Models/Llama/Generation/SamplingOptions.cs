namespace MiniGpt5.Models.Llama.Generation;

/// <summary>
/// How the next token is chosen, with Hugging Face transformers 4.31's meaning and order: the repetition penalty on
/// the logits of ids already in the sequence, then (when sampling) temperature, top-k, top-p, softmax and one
/// multinomial draw. A temperature of 0 means greedy: argmax after the repetition penalty.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>transformers' defaults for a plain model: sampling at temperature 1 with top-k 50, no top-p, no penalty.</summary>
    public static SamplingOptions Default { get; } = new();

    /// <summary>Greedy decoding (argmax).</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0 };

    /// <summary>
    /// MiniGPT-5's <c>predict</c>: do_sample, temperature 1.0, top_k 50 (the GenerationConfig default it never
    /// overrides), top_p 0.9, repetition_penalty 2.0 (MODEL_SPEC §1.5).
    /// </summary>
    public static SamplingOptions MiniGpt5 { get; } = new() { Temperature = 1.0, TopK = 50, TopP = 0.9, RepetitionPenalty = 2.0 };

    /// <summary>Softmax temperature; 0 selects greedy decoding.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep the k highest logits (ties at the k-th value kept); 0 disables.</summary>
    public int TopK { get; init; } = 50;

    /// <summary>Keep the smallest set of top tokens whose probability reaches p; 1 disables.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>CTRL-style penalty on ids already in the sequence: s/penalty if s &gt; 0, else s·penalty; 1 disables.</summary>
    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>True when <see cref="Temperature"/> is 0.</summary>
    public bool IsGreedy => Temperature == 0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be 0 (greedy) or positive.");
        }

        if (TopK < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be 0 (off) or positive.");
        }

        if (!(TopP > 0 && TopP <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1].");
        }

        if (!(RepetitionPenalty > 0) || double.IsInfinity(RepetitionPenalty))
        {
            throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), RepetitionPenalty, "The repetition penalty must be positive (1 is off).");
        }
    }
}
