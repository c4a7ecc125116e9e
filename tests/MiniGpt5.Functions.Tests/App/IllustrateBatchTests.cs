using MiniGpt5.Durable;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Functions.Tests.Books;
using MiniGpt5.Testing;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>Batches: one sub-orchestration per manuscript; a malformed one fails alone.</summary>
public sealed class IllustrateBatchTests
{
    private static string[] SampleLines() =>
        File.ReadAllLines(Path.Combine(RepoPaths.RepoRoot, "samples", "manuscripts", "shapes-batch-with-one-malformed-line.jsonl"));

    [Fact]
    public async Task A_malformed_manuscript_fails_alone_and_the_batch_reports_two_of_three()
    {
        var lines = SampleLines();
        var malformed = lines.Single(l => l.Contains("malformed", StringComparison.Ordinal));
        var good = lines.Where(l => l != malformed).Take(2).ToArray();
        var batch = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', good[0], malformed, good[1]) + "\n");
        var fake = new FakeIllustrator();
        await using var app = await AppTestHost.StartAsync(fake, new Settings.MiniGpt5Settings { BatchConcurrency = 2 });

        var submission = await app.Host.Submitter.SubmitAsync("three.jsonl", batch);

        Assert.True(submission.IsBatch);
        Assert.Equal(3, submission.Manuscripts.Count);
        Assert.NotNull(submission.Manuscripts[1].Error);
        var done = await app.WaitAsync(submission.InstanceId);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ToString());
        var output = done.ReadOutputAs<IllustrateBatchOutput>()!;
        Assert.Equal((3, 2, 1), (output.Total, output.Succeeded, output.Failed));
        Assert.Equal("2/3 manuscripts illustrated", output.Summary);
        var progress = done.ReadCustomStatusAs<BatchProgress>()!;
        Assert.Equal(("2/3", ProgressPhase.Completed, 0), (progress.Summary, progress.Phase, progress.Running));

        var failed = output.Items[1];
        Assert.False(failed.Succeeded);
        Assert.Contains("line 2", failed.Error, StringComparison.Ordinal);
        var child = await app.Client.GetInstanceAsync(failed.ManuscriptId);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, child!.RuntimeStatus);
        Assert.Equal(failed.Error, child.FailureDetails!.ErrorMessage);
        Assert.Equal(ProgressPhase.Failed, child.ReadCustomStatusAs<ManuscriptProgress>()!.Phase);

        foreach (var item in output.Items.Where(i => i.Succeeded))
        {
            Assert.Equal(submission.Manuscripts.Single(m => m.ManuscriptId == item.ManuscriptId).Book, item.Book);
            var epub = (await app.ReadBlobAsync("illustrated", item.Book!.BlobName("book.epub")))!;
            Assert.Empty(EpubValidator.Validate(epub));
            Assert.Equal(item.Counts!.Total, item.Counts.Done);
            Assert.Equal(item.Counts.Total, (await app.ListAsync("illustrated", item.Book.Prefix + "steps/")).Count(n => n.EndsWith(".png", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task More_failures_than_tolerated_fail_the_batch_naming_the_first()
    {
        var lines = SampleLines();
        var malformed = lines.Single(l => l.Contains("malformed", StringComparison.Ordinal));
        var batch = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines[0], malformed, "{\"steps\": []}") + "\n");
        await using var app = await AppTestHost.StartAsync(new FakeIllustrator(), new Settings.MiniGpt5Settings { BatchToleratedFailures = 1, BatchConcurrency = 1 });

        var submission = await app.Host.Submitter.SubmitAsync("tolerance.jsonl", batch);
        var done = await app.WaitAsync(submission.InstanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains("1/3 manuscripts illustrated: 2 manuscripts failed, more than the 1 tolerated", done.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("line 2", done.FailureDetails.ErrorMessage, StringComparison.Ordinal);
    }
}
