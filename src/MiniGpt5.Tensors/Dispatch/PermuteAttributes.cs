namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Output dim i is input dim <c>Dims[i]</c>.</summary>
public sealed record PermuteAttributes(int[] Dims) : OpAttributes;
