using MiniGpt5.Durable;
using MiniGpt5.Functions.Activities;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Manuscripts;

namespace MiniGpt5.Functions.Orchestrations;

/// <summary>
/// One manuscript: plan (activity) → every step on the gpu queue at once, each with its text, the text of the steps
/// before it and its seed → fan in → optional review gate → assemble the book. Progress is the custom status
/// (<see cref="ManuscriptProgress"/>). A step that still fails after its retries becomes a placeholder in the book;
/// a manuscript that cannot be read fails the instance with the reader's message.
/// </summary>
public sealed class IllustrateManuscriptOrchestrator : IOrchestrator<IllustrateManuscriptInput, IllustrateManuscriptOutput>
{
    // Planning and assembly only touch storage: retry transient failures a few times, never bad input.
    private static readonly RetryPolicy StorageRetry = new(4, TimeSpan.FromSeconds(2))
    {
        BackoffCoefficient = 2,
        Handle = StepRetrySettings.IsRetryable,
    };

    /// <inheritdoc />
    public async Task<IllustrateManuscriptOutput> RunAsync(OrchestrationContext context, IllustrateManuscriptInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var book = input.ResolvedBook;
        var progress = new ManuscriptProgress(input.ManuscriptId, ProgressPhase.Planning, 0, 0, 0, book);
        context.SetCustomStatus(progress);

        ManuscriptPlan plan;
        try
        {
            plan = await context.CallActivityAsync<ManuscriptPlan>(
                IllustrationNames.PlanManuscript,
                new PlanManuscriptInput(input.ManuscriptId, input.Source, input.Options),
                new ActivityOptions { Retry = StorageRetry, TaskQueue = IllustrationNames.DefaultQueue });
        }
        catch (TaskFailedException e)
        {
            context.SetCustomStatus(progress with { Phase = ProgressPhase.Failed, Error = e.Failure.ErrorMessage });
            throw new IllustrationFailedException(e.Failure.ErrorMessage);
        }

        var run = new StepRun(context, plan, book, (input.Retry ?? new StepRetrySettings()).ToPolicy());
        var results = await run.IllustrateAllAsync();

        if (plan.Options.ReviewGate == true)
        {
            results = await run.ReviewAsync(results);
        }

        context.SetCustomStatus(run.Progress(ProgressPhase.Assembling));
        BookAssemblyResult assembled;
        try
        {
            assembled = await context.CallActivityAsync<BookAssemblyResult>(
                IllustrationNames.AssembleBook,
                new AssembleBookInput(plan, results, book, context.CurrentUtcDateTime),
                new ActivityOptions { Retry = StorageRetry, TaskQueue = IllustrationNames.DefaultQueue });
        }
        catch (TaskFailedException e)
        {
            context.SetCustomStatus(run.Progress(ProgressPhase.Failed) with { Error = e.Failure.ErrorMessage });
            throw new IllustrationFailedException($"The book for {plan.ManuscriptId} could not be assembled: {e.Failure.ErrorMessage}");
        }

        var output = new IllustrateManuscriptOutput(plan.ManuscriptId, plan.Title, book, assembled.Counts, assembled.Files.Select(f => f.Path).ToList());
        if (assembled.Counts.Done == 0)
        {
            // The book exists (placeholders say why), but a run that drew nothing is a failure to report.
            var reason = results.FirstOrDefault(r => r.Error is not null)?.Error ?? "no step produced an image.";
            var message = $"None of the {assembled.Counts.Total} steps of '{plan.Title}' could be illustrated; the first failure: {reason}";
            context.SetCustomStatus(run.Progress(ProgressPhase.Failed) with { Error = message });
            throw new IllustrationFailedException(message);
        }

        context.SetCustomStatus(run.Progress(ProgressPhase.Completed));
        return output;
    }
}
