namespace MiniGpt5.Training.NanoWorld;

/// <summary>A picture story of 3 to 5 steps.</summary>
public sealed class NanoStory
{
    /// <summary>Wraps the steps, which must be numbered 0, 1, 2, ….</summary>
    public NanoStory(IReadOnlyList<NanoStoryStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].Index != i)
            {
                throw new ArgumentException($"Step {i} has index {steps[i].Index}.", nameof(steps));
            }
        }

        Steps = steps;
    }

    /// <summary>The steps in order.</summary>
    public IReadOnlyList<NanoStoryStep> Steps { get; }

    /// <summary>
    /// The wording-independent content: the scenes' <see cref="NanoScene.Key"/>s joined by " > ". Two stories
    /// with the same key show the same pictures, whatever their texts say.
    /// </summary>
    public string Key => string.Join(" > ", Steps.Select(s => s.Scene.Key));
}
