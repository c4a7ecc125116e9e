namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Rotary embedding base (theta), 10000 for LLaMA.</summary>
public sealed record RopeAttributes(double Base) : OpAttributes;
