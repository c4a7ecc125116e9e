namespace MiniGpt5.Training.NanoWorld;

/// <summary>One story of the VIST-style set.</summary>
/// <param name="Candidate">Index in the seed's candidate stream it was drawn from.</param>
/// <param name="Story">The story.</param>
public sealed record NanoStorySample(long Candidate, NanoStory Story);
