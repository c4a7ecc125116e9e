namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// How <see cref="ManuscriptPlanner"/> builds each step's context. MiniGPT-5 conditions each generation on the
/// previous turns of the story (VIST stories are five steps: four of history and one to generate), so by
/// default a step sees the last 4 steps before it, within a character budget that keeps the prompt well inside
/// the language model's window.
/// </summary>
public sealed record PlannerSettings
{
    /// <summary>Most earlier steps given as context (default 4, as in MiniGPT-5's VIST setup; 0 disables context).</summary>
    public int ContextSteps { get; init; } = 4;

    /// <summary>Most characters of context in total (default 1,000); the oldest steps are dropped first.</summary>
    public int ContextCharacters { get; init; } = 1000;

    /// <summary>Whether context crosses chapter boundaries (default: it does).</summary>
    public ContextScope ContextScope { get; init; } = ContextScope.Book;

    /// <summary>The defaults.</summary>
    public static PlannerSettings Default { get; } = new();
}
