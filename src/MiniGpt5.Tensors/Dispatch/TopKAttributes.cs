namespace MiniGpt5.Tensors.Dispatch;

/// <summary>The K largest (or smallest) elements along Dim.</summary>
public sealed record TopKAttributes(int K, int Dim, bool Largest, bool Sorted) : OpAttributes;
