namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Bounds of a clamp; a null bound is not applied.</summary>
public sealed record ClampAttributes(double? Min, double? Max) : OpAttributes;
