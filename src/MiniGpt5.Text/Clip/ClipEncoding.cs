namespace MiniGpt5.Text.Clip;

/// <summary>
/// A prompt ready for the CLIP text encoder: <c>[BOS] ids [EOS]</c>, truncated to keep EOS last, then padded.
/// </summary>
/// <param name="InputIds">Exactly MaxLength ids (77 for CLIP).</param>
/// <param name="AttentionMask">1 for real tokens (BOS..EOS), 0 for padding.</param>
/// <param name="Length">Number of real tokens, BOS and EOS included.</param>
/// <param name="Truncated">True when content ids were dropped to fit.</param>
public sealed record ClipEncoding(int[] InputIds, int[] AttentionMask, int Length, bool Truncated);
