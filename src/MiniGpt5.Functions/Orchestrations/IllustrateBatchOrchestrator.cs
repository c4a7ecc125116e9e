using MiniGpt5.Durable;

namespace MiniGpt5.Functions.Orchestrations;

/// <summary>
/// A batch file: one <see cref="IllustrationNames.IllustrateManuscript"/> sub-orchestration per manuscript (instance
/// id = manuscript id), at most <see cref="IllustrateBatchInput.MaxConcurrent"/> at a time. A manuscript that fails
/// (for example a malformed line) fails alone; the batch reports done/total in its custom status
/// (<see cref="BatchProgress"/>) and output, and fails itself only when more manuscripts failed than
/// <see cref="IllustrateBatchInput.ToleratedFailures"/>.
/// </summary>
public sealed class IllustrateBatchOrchestrator : IOrchestrator<IllustrateBatchInput, IllustrateBatchOutput>
{
    /// <inheritdoc />
    public async Task<IllustrateBatchOutput> RunAsync(OrchestrationContext context, IllustrateBatchInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var total = input.Items.Count;
        var results = new BatchItemResult[total];
        var running = new List<Task<(int Index, BatchItemResult Result)>>();
        var startedAt = context.CurrentUtcDateTime;
        int next = 0, done = 0, failed = 0;
        var cap = Math.Max(1, input.MaxConcurrent);

        BatchProgress Progress(ProgressPhase phase)
        {
            var finished = done + failed;
            DateTime? eta = null;
            if (phase == ProgressPhase.Illustrating && finished > 0)
            {
                var now = context.CurrentUtcDateTime;
                eta = now + TimeSpan.FromTicks((now - startedAt).Ticks / finished * (total - finished));
            }

            return new BatchProgress(input.BatchId, phase, done, failed, running.Count, total, eta);
        }

        while (next < total || running.Count > 0)
        {
            while (running.Count < cap && next < total)
            {
                running.Add(RunItemAsync(context, input, next));
                next++;
            }

            context.SetCustomStatus(Progress(ProgressPhase.Illustrating));
            var finished = await Task.WhenAny(running);
            running.Remove(finished);
            var (index, result) = await finished;
            results[index] = result;
            if (result.Succeeded)
            {
                done++;
            }
            else
            {
                failed++;
            }
        }

        var output = new IllustrateBatchOutput(input.BatchId, total, done, failed, results);
        if (input.ToleratedFailures is { } tolerated && failed > tolerated)
        {
            context.SetCustomStatus(Progress(ProgressPhase.Failed));
            throw new IllustrationFailedException(
                $"{output.Summary}: {failed} manuscripts failed, more than the {tolerated} tolerated. First failure: {results.First(r => !r.Succeeded).Source}: {results.First(r => !r.Succeeded).Error}");
        }

        context.SetCustomStatus(Progress(ProgressPhase.Completed));
        return output;
    }

    private static async Task<(int, BatchItemResult)> RunItemAsync(OrchestrationContext context, IllustrateBatchInput input, int index)
    {
        var item = input.Items[index];
        var child = new IllustrateManuscriptInput(
            item.ManuscriptId,
            input.Source with { ItemKey = item.ItemKey },
            input.Options,
            BookLocation.For(item.ManuscriptId),
            input.Retry);
        try
        {
            var output = await context.CallSubOrchestratorAsync<IllustrateManuscriptOutput>(
                IllustrationNames.IllustrateManuscript,
                child,
                new SubOrchestrationOptions { InstanceId = item.ManuscriptId });
            return (index, new BatchItemResult(item.ManuscriptId, item.Source, true, output.Book, output.Counts));
        }
        catch (TaskFailedException e)
        {
            return (index, new BatchItemResult(item.ManuscriptId, item.Source, false, BookLocation.For(item.ManuscriptId), Error: e.Failure.ErrorMessage));
        }
    }
}
