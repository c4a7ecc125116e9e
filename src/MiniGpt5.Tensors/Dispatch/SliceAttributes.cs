namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Elements Start, Start+Step, ... below End along Dim (already clamped to the dim's size).</summary>
public sealed record SliceAttributes(int Dim, int Start, int End, int Step) : OpAttributes;
