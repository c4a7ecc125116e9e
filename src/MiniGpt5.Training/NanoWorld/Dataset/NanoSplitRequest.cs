namespace MiniGpt5.Training.NanoWorld.Dataset;

/// <summary>How much of one split to write.</summary>
/// <param name="Split">Which split.</param>
/// <param name="Captions">CC3M-style caption–image pairs.</param>
/// <param name="Stories">VIST-style stories (3–5 images each).</param>
public sealed record NanoSplitRequest(NanoSplit Split, int Captions, int Stories);
