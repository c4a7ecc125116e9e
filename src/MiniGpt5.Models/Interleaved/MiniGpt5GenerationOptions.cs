using MiniGpt5.Models.Llama.Generation;

namespace MiniGpt5.Models.Interleaved;

/// <summary>How one MiniGPT-5 response is generated; defaults are the released code's.</summary>
public sealed record MiniGpt5GenerationOptions
{
    /// <summary>Sampling settings (default: MiniGPT-5's temperature 1, top-k 50, top-p 0.9, repetition penalty 2).</summary>
    public SamplingOptions Sampling { get; init; } = SamplingOptions.MiniGpt5;

    /// <summary>max_new_tokens (MiniGPT-5: 256).</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Seed of the torch-compatible generator the tokens are drawn from.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// How many 8-voken blocks one response may run (each costs 7 extra KV positions beyond its one token). The
    /// released model emits one; generation stops (<see cref="StopReason.ContextFull"/>) past this many.
    /// </summary>
    public int MaxVokenBlocks { get; init; } = 4;

    /// <summary>Pad input images to a white square before the CLIP preprocessing, as the playground does (train_eval does not).</summary>
    public bool PadImagesToSquare { get; init; } = true;
}
