namespace MiniGpt5.Tensors.Dispatch;

/// <summary>A scalar operand. <paramref name="ScalarFirst"/> is true for "scalar op tensor" (rsub, rdiv, scalar
/// to the power of a tensor).</summary>
public sealed record ScalarAttributes(double Value, bool ScalarFirst = false) : OpAttributes;
