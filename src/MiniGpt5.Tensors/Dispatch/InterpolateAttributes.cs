namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Nearest-neighbour scale factors as given by the caller (null when an output size was given instead);
/// the output size is the output tensor's last two dims.</summary>
public sealed record InterpolateAttributes(double? ScaleH, double? ScaleW) : OpAttributes;
