using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Nn;

/// <summary>How <see cref="Module.Load"/> treats a checkpoint.</summary>
public sealed record LoadOptions
{
    /// <summary>Strict, keep each parameter's declared dtype.</summary>
    public static LoadOptions Default { get; } = new();

    /// <summary>Missing and unexpected keys are errors (shape mismatches always are).</summary>
    public bool Strict { get; init; } = true;

    /// <summary>Cast loaded tensors to this dtype; null keeps each parameter's declared dtype.</summary>
    public DType? DType { get; init; }

    /// <summary>Keys to ignore on both sides (e.g. EVA blocks past 38, rotary inv_freq buffers).</summary>
    public KeyMatchOptions KeyMatch { get; init; } = KeyMatchOptions.Strict;
}
