namespace MiniGpt5.Tensors.Dispatch;

/// <summary>The resulting shape of a reshape or expand.</summary>
public sealed record ShapeAttributes(int[] Shape) : OpAttributes;
