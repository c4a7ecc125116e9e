namespace MiniGpt5.Tensors.Serialization;

/// <summary>What strict loading forgives, and how much of a mismatch it lists.</summary>
public sealed record KeyMatchOptions
{
    /// <summary>No key is ignored; 20 names of each kind are listed.</summary>
    public static KeyMatchOptions Strict { get; } = new();

    /// <summary>
    /// Keys starting with any of these are left out on both sides (e.g. "Qformer.cls." for text-only heads,
    /// "blocks.39." for EVA blocks past the 39 BLIP-2 uses).
    /// </summary>
    public IReadOnlyList<string> IgnoredPrefixes { get; init; } = [];

    /// <summary>
    /// Glob patterns matched against whole keys, '*' standing for any run of characters, dots included
    /// (e.g. "*.rotary_emb.inv_freq", "Qformer.bert.encoder.layer.*.output.*"). Matching keys are left out on both sides.
    /// </summary>
    public IReadOnlyList<string> IgnoredPatterns { get; init; } = [];

    /// <summary>How many names of each kind the exception message lists before "... and N more".</summary>
    public int MaxNamesListed { get; init; } = 20;
}
