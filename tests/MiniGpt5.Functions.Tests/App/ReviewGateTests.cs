using System.Text.Json;
using MiniGpt5.Durable;
using MiniGpt5.Durable.Client;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>The optional review gate: nothing is assembled until approved; a regeneration repaints one step.</summary>
public sealed class ReviewGateTests
{
    private static readonly byte[] Story = "---\nreview: true\n---\n# Gate\n\nA red circle.\n\nA blue square.\n\nA green triangle."u8.ToArray();

    private static async Task<OrchestrationMetadata> WaitForPhaseAsync(AppTestHost app, string id, ProgressPhase phase, int done)
    {
        for (var i = 0; i < 600; i++)
        {
            var status = await app.Client.GetInstanceAsync(id);
            if (status?.ReadCustomStatusAs<ManuscriptProgress>() is { } p && p.Phase == phase && p.Done == done)
            {
                return status;
            }

            Assert.False(status?.IsCompleted == true, $"the instance ended: {status?.RuntimeStatus} {status?.FailureDetails}");
            await Task.Delay(50);
        }

        throw new TimeoutException($"{id} never reached {phase} with {done} done.");
    }

    [Fact]
    public async Task The_book_waits_for_approval_and_a_regenerated_step_gets_a_new_seed_and_new_files()
    {
        var fake = new FakeIllustrator();
        await using var app = await AppTestHost.StartAsync(fake);
        var submission = await app.Host.Submitter.SubmitAsync("gate.md", Story);
        var book = BookLocation.For(submission.InstanceId);

        await WaitForPhaseAsync(app, submission.InstanceId, ProgressPhase.AwaitingReview, 3);
        Assert.Null(await app.ReadBlobAsync("illustrated", book.IndexBlob));

        await app.Client.RaiseEventAsync(submission.InstanceId, IllustrationNames.RegenerateEvent(2));
        for (var i = 0; i < 600 && fake.Calls.Count < 4; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(4, fake.Calls.Count);
        await WaitForPhaseAsync(app, submission.InstanceId, ProgressPhase.AwaitingReview, 3);
        Assert.Null(await app.ReadBlobAsync("illustrated", book.IndexBlob));

        await app.Client.RaiseEventAsync(submission.InstanceId, IllustrationNames.ApproveEvent);
        var done = await app.WaitAsync(submission.InstanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var plan = new ManuscriptPlanner().Plan(new ManuscriptReader().ReadOne("gate.md", Story), submission.InstanceId);
        var seeds = fake.Calls.Where(c => c.Text.Contains("blue square", StringComparison.Ordinal)).Select(c => c.Seed).ToList();
        Assert.Equal([plan.Steps[1].Seed, StepRun.RevisionSeed(plan.Steps[1], 2)], seeds);
        Assert.NotEqual(seeds[0], seeds[1]);
        var manifest = JsonDocument.Parse((await app.ReadBlobAsync("illustrated", book.ManifestBlob))!);
        Assert.Contains("steps/002-r2.png", manifest.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.NotNull(await app.ReadBlobAsync("illustrated", book.BlobName("steps/002.png"))); // the first painting is kept
    }
}
