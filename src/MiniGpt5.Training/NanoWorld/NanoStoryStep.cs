namespace MiniGpt5.Training.NanoWorld;

/// <summary>One step of a story: the scene, the change that led to it, and its text.</summary>
/// <param name="Index">0-based position in the story (VIST's <c>sequence_index</c>).</param>
/// <param name="Scene">The full scene of this step.</param>
/// <param name="Event">What changed since the previous step.</param>
/// <param name="Text">The step's caption: an optional connective, then the full scene description.</param>
public sealed record NanoStoryStep(int Index, NanoScene Scene, NanoStoryEvent Event, string Text);
