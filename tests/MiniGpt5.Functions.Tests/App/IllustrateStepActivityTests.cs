using MiniGpt5.Functions.Activities;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Orchestrations;
using MiniGpt5.Imaging.Png;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>The step activity's create-only writes: a redelivery or retry never writes a step twice.</summary>
public sealed class IllustrateStepActivityTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "minigpt5-step-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly StorageAccount _account;

    public IllustrateStepActivityTests() => _account = StorageAccount.Local(_root);

    private static IllustrateStepInput Input(int revision = 1) =>
        new("story-0011223344556677", BookLocation.For("story-0011223344556677"), 2, "A red circle.", ["A blue square."], 1234u, new ManuscriptOptions(), revision);

    private async Task<byte[]?> ReadAsync(string relativePath) =>
        await new BlobBookFolder(_account.Blobs, Input().Book).ReadFileAsync(relativePath);

    [Fact]
    public async Task A_redelivered_step_returns_the_recorded_result_without_running_the_model()
    {
        var fake = new FakeIllustrator();
        var activity = new IllustrateStepActivity(_account.Blobs, fake);

        var first = await activity.RunAsync(new TestActivityContext("IllustrateStep"), Input());
        var png = await ReadAsync("steps/002.png");
        var again = await activity.RunAsync(new TestActivityContext("IllustrateStep", attempt: 2, taskId: 9), Input());

        Assert.Single(fake.Calls);
        Assert.Equal(first, again with { TimingsMs = first.TimingsMs, Settings = first.Settings });
        Assert.Equal(1, again.Attempts);
        Assert.Equal(png, await ReadAsync("steps/002.png"));
        Assert.Equal(PngEncoder.Encode(FakeIllustrator.Draw("A red circle.", 1234)), png);
        Assert.Equal(("steps/002.png", StepStatus.Succeeded, 1234u, "fake"), (first.ImagePath, first.Status, first.Seed, first.ModelName));
    }

    [Fact]
    public async Task A_retry_after_a_crash_between_the_two_writes_keeps_the_first_image()
    {
        var folder = new BlobBookFolder(_account.Blobs, Input().Book);
        var earlier = PngEncoder.Encode(FakeIllustrator.Draw("an earlier attempt", 1));
        Assert.True(await folder.WriteFileAsync("steps/002.png", earlier, createOnly: true));

        var result = await new IllustrateStepActivity(_account.Blobs, new FakeIllustrator()).RunAsync(new TestActivityContext("IllustrateStep", attempt: 2), Input());

        Assert.Equal(earlier, await ReadAsync("steps/002.png"));
        Assert.Equal(2, result.Attempts);
        Assert.NotNull(await ReadAsync("steps/002.json"));
    }

    [Fact]
    public async Task A_regeneration_writes_new_files_beside_the_first_ones()
    {
        var fake = new FakeIllustrator();
        var activity = new IllustrateStepActivity(_account.Blobs, fake);
        await activity.RunAsync(new TestActivityContext("IllustrateStep"), Input());
        var second = await activity.RunAsync(new TestActivityContext("IllustrateStep"), Input(revision: 2) with { Seed = 99 });

        Assert.Equal("steps/002-r2.png", second.ImagePath);
        Assert.NotNull(await ReadAsync("steps/002-r2.json"));
        Assert.NotEqual(await ReadAsync("steps/002.png"), await ReadAsync("steps/002-r2.png"));
    }

    [Fact]
    public async Task An_answer_without_an_image_is_a_recorded_failed_step()
    {
        var fake = new FakeIllustrator { NoImageWhenTextContains = "red circle" };
        var result = await new IllustrateStepActivity(_account.Blobs, fake).RunAsync(new TestActivityContext("IllustrateStep"), Input());

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Contains("without an image", result.Error, StringComparison.Ordinal);
        Assert.Null(await ReadAsync("steps/002.png"));
        Assert.NotNull(await ReadAsync("steps/002.json"));
    }

    [Fact]
    public void Manuscript_options_map_onto_the_models_options()
    {
        var options = IllustrateStepActivity.IllustrationOptionsFor(new ManuscriptOptions { Scheduler = "dpmsolver++", InferenceSteps = 20, GuidanceScale = 5, ImageWidth = 256 });
        Assert.Equal(("dpm++2m", 20, 5.0, 256, (int?)null), (options.Scheduler, options.Steps, options.GuidanceScale, options.Width!.Value, options.Height));
        Assert.Equal(50, IllustrateStepActivity.IllustrationOptionsFor(new ManuscriptOptions()).Steps);
        Assert.Equal("A cat, watercolour", IllustrateStepActivity.PromptFor("A cat.", " watercolour "));
        Assert.Equal("A cat.", IllustrateStepActivity.PromptFor("A cat.", null));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
