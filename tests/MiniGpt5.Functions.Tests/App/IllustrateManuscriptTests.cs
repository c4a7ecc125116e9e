using System.Text;
using System.Text.Json;
using MiniGpt5.Durable;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Functions.Tests.Books;
using MiniGpt5.Testing;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>The IllustrateManuscript orchestration on the local backend with a fake model.</summary>
public sealed class IllustrateManuscriptTests
{
    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(RepoPaths.RepoRoot, "samples", "manuscripts", name));

    [Fact]
    public async Task A_markdown_manuscript_becomes_a_complete_book_with_every_step_image()
    {
        var fake = new FakeIllustrator();
        await using var app = await AppTestHost.StartAsync(fake);
        var bytes = Sample("shapes-day-and-night.md");
        var submission = await app.Host.Submitter.SubmitAsync("shapes-day-and-night.md", bytes);

        Assert.False(submission.IsBatch);
        Assert.Equal(ManuscriptId.ForContent("shapes-day-and-night.md", bytes), submission.InstanceId);
        var done = await app.WaitAsync(submission.InstanceId);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ToString());

        var output = done.ReadOutputAs<IllustrateManuscriptOutput>()!;
        var plan = new ManuscriptPlanner().Plan(new ManuscriptReader().ReadOne("shapes-day-and-night.md", bytes), submission.InstanceId);
        Assert.Equal(plan.Steps.Count, output.Counts.Total);
        Assert.Equal(plan.Steps.Count, output.Counts.Done);
        Assert.Equal(BookLocation.For(submission.InstanceId), output.Book);

        var progress = done.ReadCustomStatusAs<ManuscriptProgress>()!;
        Assert.Equal(ProgressPhase.Completed, progress.Phase);
        Assert.Equal((plan.Steps.Count, 0, plan.Steps.Count), (progress.Done, progress.Failed, progress.Total));
        Assert.Contains("\"phase\":\"Completed\"", done.SerializedCustomStatus, StringComparison.Ordinal);

        // Every step: the model saw its text (with the style prompt), its seed and the text of the steps before it.
        Assert.Equal(plan.Steps.Count, fake.Calls.Count);
        foreach (var step in plan.Steps)
        {
            var call = Assert.Single(fake.Calls, c => c.Seed == step.Seed);
            Assert.StartsWith(step.Text.TrimEnd('.'), call.Text, StringComparison.Ordinal);
            Assert.EndsWith("flat colours, simple geometric shapes", call.Text, StringComparison.Ordinal);
            Assert.Equal(step.Context, call.Context);

            var png = await app.ReadBlobAsync("illustrated", output.Book.BlobName(step.ImagePath));
            Assert.NotNull(png);
            Assert.Equal(0x89, png[0]);
            var record = JsonSerializer.Deserialize(
                (await app.ReadBlobAsync("illustrated", output.Book.BlobName(step.MetadataPath)))!, BookJsonContext.Default.StepResult)!;
            Assert.Equal((step.Number, StepStatus.Succeeded, step.Seed, "fake"), (record.StepNumber, record.Status, record.Seed, record.ModelName));
        }

        var epub = (await app.ReadBlobAsync("illustrated", output.Book.BlobName("book.epub")))!;
        Assert.Empty(EpubValidator.Validate(epub));
        var html = Encoding.UTF8.GetString((await app.ReadBlobAsync("illustrated", output.Book.IndexBlob))!);
        Assert.Contains("steps/001.png", html, StringComparison.Ordinal);
        Assert.Contains("Shapes from Morning to Night", html, StringComparison.Ordinal);
        Assert.NotNull(await app.ReadBlobAsync("illustrated", output.Book.ManifestBlob));
        Assert.Equal("manifest.json", output.Files[^1]);
    }

    [Fact]
    public async Task Submitting_the_same_bytes_again_finds_the_finished_book_instead_of_painting_it_twice()
    {
        var fake = new FakeIllustrator();
        await using var app = await AppTestHost.StartAsync(fake);
        var bytes = Sample("shapes-garden.txt");
        var first = await app.Host.Submitter.SubmitAsync("shapes-garden.txt", bytes);
        await app.WaitAsync(first.InstanceId);
        var calls = fake.Calls.Count;

        var second = await app.Host.Submitter.SubmitAsync("shapes-garden.txt", bytes);

        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.True(second.AlreadyExisted);
        Assert.Equal(first.Source, second.Source);
        var again = await app.WaitAsync(second.InstanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, again.RuntimeStatus);
        Assert.Equal(calls, fake.Calls.Count);
    }

    [Fact]
    public async Task A_step_that_fails_is_retried_and_its_files_are_written_once()
    {
        var fake = new FakeIllustrator();
        fake.FailNext("yellow square", 1);
        await using var app = await AppTestHost.StartAsync(fake);
        var bytes = Sample("shapes-day-and-night.md");
        var submission = await app.Host.Submitter.SubmitAsync("shapes-day-and-night.md", bytes);
        var done = await app.WaitAsync(submission.InstanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var output = done.ReadOutputAs<IllustrateManuscriptOutput>()!;
        Assert.Equal(0, output.Counts.Failed);
        Assert.Equal(2, fake.CallsFor("yellow square appears"));
        var plan = new ManuscriptPlanner().Plan(new ManuscriptReader().ReadOne("x.md", bytes), submission.InstanceId);
        var step = plan.Steps.First(s => s.Text.Contains("yellow square appears", StringComparison.Ordinal));
        var record = JsonSerializer.Deserialize((await app.ReadBlobAsync("illustrated", output.Book.BlobName(step.MetadataPath)))!, BookJsonContext.Default.StepResult)!;
        Assert.Equal(2, record.Attempts);
        var steps = await app.ListAsync("illustrated", output.Book.Prefix + "steps/");
        Assert.Equal(plan.Steps.Count * 2, steps.Count); // one png + one json per step, no leftovers from the failed attempt
    }

    [Fact]
    public async Task A_step_that_keeps_failing_becomes_a_placeholder_and_the_book_still_completes()
    {
        var fake = new FakeIllustrator();
        fake.FailNext("yellow square appears", 100);
        await using var app = await AppTestHost.StartAsync(fake, new Settings.MiniGpt5Settings { StepMaxAttempts = 2 });
        var submission = await app.Host.Submitter.SubmitAsync("shapes-day-and-night.md", Sample("shapes-day-and-night.md"));
        var done = await app.WaitAsync(submission.InstanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var output = done.ReadOutputAs<IllustrateManuscriptOutput>()!;
        Assert.Equal(1, output.Counts.Failed);
        Assert.Equal(output.Counts.Total - 1, output.Counts.Done);
        Assert.Equal(2, fake.CallsFor("yellow square appears"));
        var html = Encoding.UTF8.GetString((await app.ReadBlobAsync("illustrated", output.Book.IndexBlob))!);
        Assert.Contains("injected failure", html, StringComparison.Ordinal);
        Assert.Equal(1, done.ReadCustomStatusAs<ManuscriptProgress>()!.Failed);
    }

    [Fact]
    public async Task An_unreadable_manuscript_is_refused_at_submission_with_the_readers_message()
    {
        await using var app = await AppTestHost.StartAsync(new FakeIllustrator());
        var e = await Assert.ThrowsAsync<ManuscriptException>(() => app.Host.Submitter.SubmitAsync("empty.md", Array.Empty<byte>()));
        Assert.Contains("empty.md", e.Message, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<ManuscriptException>(() =>
            app.Host.Submitter.SubmitAsync("ok.md", "# A\n\nA red circle."u8.ToArray(), new ManuscriptOptions { GuidanceScale = 99 }));
        Assert.Contains("guidanceScale", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_that_cannot_be_loaded_fails_every_step_once_and_the_run_reports_it()
    {
        var settings = new Settings.MiniGpt5Settings { Model = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N")) };
        await using var app = await AppTestHost.StartAsync(new IllustrationHostOptions(), settings);
        var submission = await app.Host.Submitter.SubmitAsync("garden.txt", Sample("shapes-garden.txt"));
        var done = await app.WaitAsync(submission.InstanceId);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);
        Assert.Contains("could be illustrated", done.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("does not exist", done.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        var output = BookLocation.For(submission.InstanceId);
        Assert.NotNull(await app.ReadBlobAsync("illustrated", output.IndexBlob)); // the placeholder book says why
    }
}
