using MiniGpt5.Durable;
using MiniGpt5.Functions.Activities;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Schedules;

/// <summary>
/// One dataset run: every record is an <see cref="IllustrationNames.IllustrateStep"/> call on the gpu queue (no
/// context, its own seed) writing into the run folder, then <see cref="IllustrationNames.WriteDatasetManifest"/>.
/// Progress is a <see cref="ManuscriptProgress"/> keyed by the run folder.
/// </summary>
public sealed class GenerateDatasetOrchestrator : IOrchestrator<DatasetRunInput, DatasetRunOutput>
{
    /// <inheritdoc />
    public async Task<DatasetRunOutput> RunAsync(OrchestrationContext context, DatasetRunInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var retry = (input.Retry ?? new StepRetrySettings()).ToPolicy();
        var total = input.Records.Count;
        int done = 0, failed = 0;
        var id = $"{input.Schedule}/{input.RunId}";
        context.SetCustomStatus(new ManuscriptProgress(id, ProgressPhase.Illustrating, 0, 0, total, input.Location, input.Schedule));

        async Task<StepResult> PaintAsync(DatasetRecordPlan record)
        {
            StepResult result;
            try
            {
                result = await context.CallActivityAsync<StepResult>(
                    IllustrationNames.IllustrateStep,
                    new IllustrateStepInput(id, input.Location, record.Index, record.Prompt, [], record.Seed, input.Options),
                    new ActivityOptions { Retry = retry, TaskQueue = IllustrationNames.GpuQueue });
            }
            catch (TaskFailedException e)
            {
                result = new StepResult { StepNumber = record.Index, Status = StepStatus.Failed, Text = record.Prompt, Seed = record.Seed, Error = e.Failure.ErrorMessage };
            }

            if (result.Status == StepStatus.Succeeded)
            {
                done++;
            }
            else
            {
                failed++;
            }

            context.SetCustomStatus(new ManuscriptProgress(id, ProgressPhase.Illustrating, done, failed, total, input.Location, input.Schedule));
            return result;
        }

        var results = await Task.WhenAll(input.Records.Select(PaintAsync));
        await context.CallActivityAsync<string>(
            IllustrationNames.WriteDatasetManifest,
            new WriteDatasetManifestInput(input, results),
            new ActivityOptions { Retry = new RetryPolicy(4, TimeSpan.FromSeconds(2)) { BackoffCoefficient = 2 }, TaskQueue = IllustrationNames.DefaultQueue });
        context.SetCustomStatus(new ManuscriptProgress(id, ProgressPhase.Completed, done, failed, total, input.Location, input.Schedule));
        return new DatasetRunOutput(input.Schedule, input.RunId, input.RunSeed, input.Location, total, done, failed);
    }
}
