namespace MiniGpt5.Tensors.Dispatch;

/// <summary>Scaled-dot-product attention arguments: the resolved scale, causal masking and its alignment, and
/// whether key/value heads are shared by groups of query heads.</summary>
public sealed record AttentionAttributes(double Scale, bool IsCausal, CausalVariant CausalVariant, bool EnableGqa) : OpAttributes;
