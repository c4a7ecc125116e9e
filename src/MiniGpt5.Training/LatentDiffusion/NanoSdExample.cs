using MiniGpt5.Training.NanoWorld;

namespace MiniGpt5.Training.LatentDiffusion;

/// <summary>One text-to-image training pair: a scene and a text that describes it (a caption or a story step).</summary>
public sealed record NanoSdExample(NanoScene Scene, string Text);
