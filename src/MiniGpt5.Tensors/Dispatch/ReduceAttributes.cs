namespace MiniGpt5.Tensors.Dispatch;

/// <summary>A reduction over <paramref name="Dims"/> (normalised, ascending; every dim for a full reduction).
/// <paramref name="Correction"/> is only used by variance (1 = unbiased, 0 = population).</summary>
public sealed record ReduceAttributes(int[] Dims, bool KeepDim, int Correction = 0) : OpAttributes;
