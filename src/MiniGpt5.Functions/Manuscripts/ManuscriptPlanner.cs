using System.Globalization;

namespace MiniGpt5.Functions.Manuscripts;

/// <summary>
/// Turns a manuscript into a <see cref="ManuscriptPlan"/>: merges options (defaults, then the manuscript, then
/// the request, which wins), merges paragraphs where a chapter has more than <c>steps_per_chapter</c>, numbers the
/// steps, gives each the text of the steps before it as context, and derives each step's seed. Pure and
/// deterministic: the same inputs always give an identical plan, which is what lets an orchestration replay it.
/// </summary>
public sealed class ManuscriptPlanner
{
    /// <summary>Creates a planner with <paramref name="settings"/> (or the defaults).</summary>
    public ManuscriptPlanner(PlannerSettings? settings = null)
    {
        Settings = settings ?? PlannerSettings.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(Settings.ContextSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(Settings.ContextCharacters);
    }

    /// <summary>The context rules in force.</summary>
    public PlannerSettings Settings { get; }

    /// <summary>
    /// Plans <paramref name="manuscript"/> under <paramref name="manuscriptId"/> (see <see cref="ManuscriptId"/>).
    /// Throws <see cref="ManuscriptException"/> when the request options are invalid or the plan would exceed
    /// <see cref="ManuscriptPlan.MaxSteps"/> steps.
    /// </summary>
    public ManuscriptPlan Plan(Manuscript manuscript, string manuscriptId, ManuscriptOptions? requestOptions = null)
    {
        ArgumentNullException.ThrowIfNull(manuscript);
        ArgumentException.ThrowIfNullOrWhiteSpace(manuscriptId);
        var request = requestOptions?.Validated("request options");
        var options = ManuscriptOptions.Defaults.OverriddenBy(manuscript.Options).OverriddenBy(request).Validated(manuscript.Source);
        var warnings = new List<string>(manuscript.Warnings);

        var grouped = manuscript.Chapters.Select((chapter, i) => Group(chapter, i + 1, options.MaxStepsPerChapter, warnings)).ToList();
        var total = grouped.Sum(g => g.Count);
        if (total > ManuscriptPlan.MaxSteps)
        {
            throw new ManuscriptException(new ManuscriptError(manuscript.Source, string.Create(CultureInfo.InvariantCulture,
                $"has {total} steps; a book may have at most {ManuscriptPlan.MaxSteps}. Set steps_per_chapter to merge paragraphs, or split the manuscript.")));
        }

        var seedBasis = StepSeed.Basis(manuscriptId, options.Seed);
        var chapters = new List<PlannedChapter>();
        var steps = new List<PlannedStep>();
        for (var c = 0; c < grouped.Count; c++)
        {
            var chapter = manuscript.Chapters[c];
            chapters.Add(new PlannedChapter(c + 1, chapter.Title, steps.Count + 1, grouped[c].Count));
            var chapterStart = steps.Count;
            for (var s = 0; s < grouped[c].Count; s++)
            {
                var step = grouped[c][s];
                var number = steps.Count + 1;
                var earlier = Settings.ContextScope == ContextScope.Chapter ? steps.Skip(chapterStart) : steps;
                steps.Add(new PlannedStep(
                    number,
                    c + 1,
                    chapter.Title,
                    s + 1,
                    step.Text,
                    Context(earlier.Select(p => p.Text).ToList()),
                    StepSeed.Derive(seedBasis, number),
                    step.Blocks,
                    step.Line));
            }
        }

        return new ManuscriptPlan(
            manuscriptId,
            manuscript.Source,
            manuscript.SourceName,
            manuscript.ItemKey,
            manuscript.Format,
            manuscript.Title,
            manuscript.Author,
            manuscript.Language ?? "en",
            manuscript.Description,
            options,
            chapters,
            steps,
            warnings);
    }

    /// <summary>
    /// The chapter's steps, merged down to <paramref name="cap"/> when it has more: consecutive paragraphs go
    /// into groups as even as possible (10 paragraphs with a cap of 4 make 3+3+2+2), so no text is lost.
    /// </summary>
    private static List<ManuscriptStep> Group(ManuscriptChapter chapter, int index, int? cap, List<string> warnings)
    {
        var steps = chapter.Steps;
        if (cap is not { } limit || steps.Count <= limit)
        {
            return [.. steps];
        }

        warnings.Add(string.Create(CultureInfo.InvariantCulture,
            $"Chapter {index}{(chapter.Title is null ? string.Empty : $" '{chapter.Title}'")} has {steps.Count} paragraphs; they were merged into {limit} steps (steps_per_chapter)."));
        var groups = new List<ManuscriptStep>(limit);
        var size = steps.Count / limit;
        var larger = steps.Count % limit;
        var next = 0;
        for (var g = 0; g < limit; g++)
        {
            var count = size + (g < larger ? 1 : 0);
            var members = steps.Skip(next).Take(count).ToList();
            next += count;
            groups.Add(new ManuscriptStep(
                string.Join(' ', members.Select(m => m.Text)),
                [.. members.SelectMany(m => m.Blocks)],
                members[0].Line));
        }

        return groups;
    }

    /// <summary>
    /// The last <see cref="PlannerSettings.ContextSteps"/> texts that fit in <see cref="PlannerSettings.ContextCharacters"/>,
    /// oldest first. When even the latest does not fit, its end is kept (cut at a word), marked with "…".
    /// </summary>
    private List<string> Context(List<string> earlier)
    {
        var context = new List<string>();
        var budget = Settings.ContextCharacters;
        for (var i = earlier.Count - 1; i >= 0 && context.Count < Settings.ContextSteps; i--)
        {
            var text = earlier[i];
            if (text.Length <= budget)
            {
                context.Add(text);
                budget -= text.Length + 1;
                continue;
            }

            if (context.Count == 0 && budget > 1)
            {
                var tail = text[^(budget - 1)..];
                var space = tail.IndexOf(' ', StringComparison.Ordinal);
                var startsAtWord = text[text.Length - tail.Length - 1] == ' ';
                if (!startsAtWord && space >= 0 && space < tail.Length - 1)
                {
                    tail = tail[(space + 1)..];
                }

                context.Add("…" + tail);
            }

            break;
        }

        context.Reverse();
        return context;
    }
}
