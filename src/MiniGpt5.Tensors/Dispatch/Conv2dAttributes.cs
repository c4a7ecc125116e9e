namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Convolution geometry (height, width pairs). Output padding is only used by the transposed convolution.</summary>
public sealed record Conv2dAttributes(
    (int H, int W) Stride,
    (int H, int W) Padding,
    (int H, int W) Dilation,
    int Groups,
    (int H, int W) OutputPadding = default) : OpAttributes;
