namespace MiniGpt5.Tensors.Dispatch;

/// <summary>One dimension (already normalised to 0..rank-1).</summary>
public sealed record DimAttributes(int Dim) : OpAttributes;
