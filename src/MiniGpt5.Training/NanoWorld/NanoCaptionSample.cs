namespace MiniGpt5.Training.NanoWorld;

/// <summary>One caption–image pair of the CC3M-style set (the image is <see cref="NanoSceneRenderer.Render"/> of the scene).</summary>
/// <param name="Candidate">Index in the seed's candidate stream it was drawn from.</param>
/// <param name="Scene">The scene.</param>
/// <param name="Caption">Its caption (no connective).</param>
public sealed record NanoCaptionSample(long Candidate, NanoScene Scene, string Caption);
