namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Sort along Dim. Ties keep their original order (the sort is always stable).</summary>
public sealed record SortAttributes(int Dim, bool Descending) : OpAttributes;
