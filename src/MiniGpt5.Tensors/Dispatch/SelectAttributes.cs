namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Index (non-negative) taken along Dim, which disappears from the output.</summary>
public sealed record SelectAttributes(int Dim, int Index) : OpAttributes;
