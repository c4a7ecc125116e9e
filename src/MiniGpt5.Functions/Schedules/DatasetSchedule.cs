using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Schedules;

/// <summary>
/// A dataset-generation schedule (<c>schedules/{name}.json</c>): at each cron occurrence, one run paints
/// <see cref="Count"/> images from <see cref="Prompts"/> (cycled) into <c>datasets/{name}/{runId}/</c>.
/// </summary>
/// <param name="Name">Lowercase letters, digits and hyphens; names the folder and the instances.</param>
/// <param name="Cron">When runs start (<see cref="CronExpression"/>, UTC); null means manual runs only.</param>
/// <param name="Seed">The schedule's seed; each run's seed derives from it and the run id, unless a run gives its own.</param>
/// <param name="Prompts">The texts to illustrate, at least one.</param>
/// <param name="Count">Images per run (default: one per prompt).</param>
/// <param name="Options">Model options (sampler, steps, guidance, size, style).</param>
/// <param name="Enabled">False keeps the file but starts nothing.</param>
public sealed record DatasetSchedule(
    string Name,
    string? Cron,
    uint Seed,
    IReadOnlyList<string> Prompts,
    int? Count = null,
    ManuscriptOptions? Options = null,
    bool Enabled = true)
{
    /// <summary>The most images one run may make.</summary>
    public const int MaxCount = 100_000;

    /// <summary>Images per run.</summary>
    public int ResolvedCount => Count ?? Prompts.Count;
}
