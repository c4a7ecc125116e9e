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

    /// <summary>
    /// Copy every tensor into process memory advised for huge pages (<see cref="Tensor.ResidentCopy"/>) instead of
    /// viewing a memory-mapped checkpoint zero-copy. For weights an LLM streams once per decoded token; costs RAM equal
    /// to the weights (the page cache the file leaves behind is reclaimable).
    /// </summary>
    public bool CopyIntoMemory { get; init; }

    /// <summary>Keys to ignore on both sides (e.g. EVA blocks past 38, rotary inv_freq buffers).</summary>
    public KeyMatchOptions KeyMatch { get; init; } = KeyMatchOptions.Strict;
}
