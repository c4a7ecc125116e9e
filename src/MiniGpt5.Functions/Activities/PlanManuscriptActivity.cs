using System.Globalization;
using MiniGpt5.Durable;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Activities;

/// <summary>
/// Reads the manuscript (the whole file, or one item of a batch file) and plans it. Bad input throws
/// <see cref="ManuscriptException"/> with the reader's message, which the orchestration does not retry and reports.
/// </summary>
public sealed class PlanManuscriptActivity(ManuscriptSourceCache sources) : IActivity<PlanManuscriptInput, ManuscriptPlan>
{
    private readonly ManuscriptPlanner _planner = new();

    /// <inheritdoc />
    public async Task<ManuscriptPlan> RunAsync(ActivityContext context, PlanManuscriptInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var results = await sources.ReadAsync(input.Source, context.CancellationToken).ConfigureAwait(false);
        var result = Select(results, input.Source.ItemKey, input.Source.SourceName);
        if (!result.Succeeded)
        {
            throw new ManuscriptException(result.Error!);
        }

        return _planner.Plan(result.Manuscript!, input.ManuscriptId, input.Options);
    }

    /// <summary>
    /// The result for <paramref name="itemKey"/>: null picks the file's only manuscript; <c>item-N</c> (what the
    /// submitter calls a keyless result of a batch) picks the N-th.
    /// </summary>
    internal static ManuscriptReadResult Select(IReadOnlyList<ManuscriptReadResult> results, string? itemKey, string sourceName)
    {
        if (itemKey is null)
        {
            return results.Count == 1
                ? results[0]
                : throw new ManuscriptException(new ManuscriptError(sourceName, string.Create(CultureInfo.InvariantCulture,
                    $"holds {results.Count} manuscripts; submit it as a batch.")));
        }

        var match = results.FirstOrDefault(r => r.ItemKey == itemKey);
        if (match is not null)
        {
            return match;
        }

        if (itemKey.StartsWith("item-", StringComparison.Ordinal)
            && int.TryParse(itemKey.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && n <= results.Count && results[n - 1].ItemKey is null)
        {
            return results[n - 1];
        }

        throw new ManuscriptException(new ManuscriptError(sourceName, $"has no manuscript '{itemKey}'."));
    }
}
