using MiniGpt5.Durable;
using MiniGpt5.Functions.Activities;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Orchestrations;

/// <summary>
/// The step fan-out of one <see cref="IllustrateManuscriptOrchestrator"/> run and its bookkeeping (counts, ETA,
/// revisions). Orchestrator code: deterministic, only context tasks, single-threaded.
/// </summary>
internal sealed class StepRun(OrchestrationContext context, ManuscriptPlan plan, BookLocation book, RetryPolicy retry)
{
    private readonly Dictionary<int, int> _revisions = [];
    private DateTime _startedAt;
    private int _done;
    private int _failed;
    private int _finished;
    private int _pending;

    /// <summary>The status to show now in <paramref name="phase"/>.</summary>
    public ManuscriptProgress Progress(ProgressPhase phase) =>
        new(plan.ManuscriptId, phase, _done, _failed, plan.Steps.Count, book, plan.Title, phase == ProgressPhase.Illustrating ? Eta() : null);

    /// <summary>Fans out every step and waits for all of them; failures come back as failed results, never as exceptions.</summary>
    public async Task<StepResult[]> IllustrateAllAsync()
    {
        _startedAt = context.CurrentUtcDateTime;
        _pending = plan.Steps.Count;
        context.SetCustomStatus(Progress(ProgressPhase.Illustrating));
        return await Task.WhenAll(plan.Steps.Select(step => IllustrateAsync(step, revision: 1)));
    }

    /// <summary>
    /// The review gate: waits for <c>approve</c> or <c>regenerate:{step}</c>; a regeneration paints that step again
    /// with the next revision's seed, then the gate waits again.
    /// </summary>
    public async Task<StepResult[]> ReviewAsync(StepResult[] results)
    {
        while (true)
        {
            context.SetCustomStatus(Progress(ProgressPhase.AwaitingReview));
            using var cancel = new CancellationTokenSource();
            var approve = context.WaitForExternalEvent<object?>(IllustrationNames.ApproveEvent, cancel.Token);
            var regenerate = plan.Steps
                .Select(s => (Step: s, Task: (Task)context.WaitForExternalEvent<object?>(IllustrationNames.RegenerateEvent(s.Number), cancel.Token)))
                .ToList();
            var winner = await Task.WhenAny(regenerate.Select(r => r.Task).Prepend(approve));
            cancel.Cancel();
            if (winner == approve)
            {
                return results;
            }

            var step = regenerate.First(r => r.Task == winner).Step;
            var revision = _revisions.GetValueOrDefault(step.Number, 1) + 1;
            var previous = results[step.Number - 1];
            if (previous.Status == StepStatus.Succeeded)
            {
                _done--;
            }
            else
            {
                _failed--;
            }

            _pending = 1;
            _startedAt = context.CurrentUtcDateTime;
            _finished = 0;
            context.SetCustomStatus(Progress(ProgressPhase.Illustrating));
            results[step.Number - 1] = await IllustrateAsync(step, revision);
        }
    }

    private async Task<StepResult> IllustrateAsync(PlannedStep step, int revision)
    {
        _revisions[step.Number] = revision;
        var seed = revision == 1 ? step.Seed : RevisionSeed(step, revision);
        var stepInput = new IllustrateStepInput(plan.ManuscriptId, book, step.Number, step.Text, step.Context, seed, plan.Options, revision);
        StepResult result;
        try
        {
            result = await context.CallActivityAsync<StepResult>(
                IllustrationNames.IllustrateStep,
                stepInput,
                new ActivityOptions { Retry = retry, TaskQueue = IllustrationNames.GpuQueue });
        }
        catch (TaskFailedException e)
        {
            result = new StepResult
            {
                StepNumber = step.Number,
                Status = StepStatus.Failed,
                Text = step.Text,
                Seed = seed,
                Error = e.Failure.ErrorMessage,
            };
        }

        if (result.Status == StepStatus.Succeeded)
        {
            _done++;
        }
        else
        {
            _failed++;
        }

        _finished++;
        context.SetCustomStatus(Progress(ProgressPhase.Illustrating));
        return result;
    }

    /// <summary>A regenerated step's seed: derived from its first seed and the revision, so a replay or retry repaints the same picture.</summary>
    internal static uint RevisionSeed(PlannedStep step, int revision) =>
        StepSeed.Derive(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"revision:{revision}:{step.Seed}"), step.Number);

    // Remaining work at the pace so far: (elapsed / finished) × left. From the orchestration clock: replay-safe.
    private DateTime? Eta()
    {
        if (_finished == 0)
        {
            return null;
        }

        var now = context.CurrentUtcDateTime;
        var left = _pending - _finished;
        return now + TimeSpan.FromTicks((now - _startedAt).Ticks / _finished * Math.Max(0, left));
    }
}
