namespace MiniGpt5.Models.Interleaved;

/// <summary>Wall-clock time of each stage of a turn (zero for stages that did not run).</summary>
public sealed record MiniGpt5Timings
{
    /// <summary>EVA ViT + Q-Former + projection of the input images.</summary>
    public TimeSpan ImageEncoding { get; init; }

    /// <summary>The prompt pass.</summary>
    public TimeSpan Prefill { get; init; }

    /// <summary>Token-by-token generation (voken blocks included).</summary>
    public TimeSpan Decode { get; init; }

    /// <summary>Prompt positions (text and image embeddings, BOS included).</summary>
    public int PromptLength { get; init; }

    /// <summary>Generated tokens.</summary>
    public int GeneratedTokens { get; init; }

    /// <summary>The voken mapper (conditioning and negative).</summary>
    public TimeSpan Mapping { get; init; }

    /// <summary>Denoising and VAE decoding.</summary>
    public TimeSpan ImageGeneration { get; init; }

    /// <summary>Everything.</summary>
    public TimeSpan Total => ImageEncoding + Prefill + Decode + Mapping + ImageGeneration;
}
