using MiniGpt5.Durable;
using MiniGpt5.Functions.Schedules;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>Scheduled dataset runs: due occurrences start once, and a run is reproduced from its seed.</summary>
public sealed class DatasetScheduleTests
{
    private const string ScheduleJson = """
        {
          // two prompts cycled over five records
          "cron": "0 2 * * *",
          "seed": 42,
          "count": 5,
          "prompts": ["A red circle on a white background.", "Two blue squares side by side."],
          "options": { "inference_steps": 10 }
        }
        """;

    [Fact]
    public async Task A_run_is_reproduced_exactly_from_its_seed()
    {
        var fake = new FakeIllustrator();
        await using var app = await AppTestHost.StartAsync(fake);
        var schedule = DatasetScheduleLoader.Parse(System.Text.Encoding.UTF8.GetBytes(ScheduleJson), "shapes.json");

        var (first, _) = await app.Host.Scheduler.StartAsync(schedule, "manual-a", runSeed: 777, CancellationToken.None);
        var (second, _) = await app.Host.Scheduler.StartAsync(schedule, "manual-b", runSeed: 777, CancellationToken.None);
        var (other, _) = await app.Host.Scheduler.StartAsync(schedule, "manual-c", runSeed: 778, CancellationToken.None);
        var outputs = new List<DatasetRunOutput>();
        foreach (var id in new[] { first, second, other })
        {
            var done = await app.WaitAsync(id);
            Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ToString());
            outputs.Add(done.ReadOutputAs<DatasetRunOutput>()!);
        }

        Assert.Equal((5, 5, 0, 777u), (outputs[0].Total, outputs[0].Done, outputs[0].Failed, outputs[0].RunSeed));
        var manifests = new List<IReadOnlyList<DatasetManifestLine>>();
        foreach (var output in outputs)
        {
            manifests.Add(DatasetManifest.Read((await app.ReadBlobAsync("datasets", output.ManifestBlob))!));
        }

        Assert.Equal(5, manifests[0].Count);
        Assert.Equal(manifests[0].Select(l => (l.Index, l.Prompt, l.Seed, l.Image)), manifests[1].Select(l => (l.Index, l.Prompt, l.Seed, l.Image)));
        Assert.Equal("Two blue squares side by side.", manifests[0][3].Prompt);
        Assert.Equal("steps/004.png", manifests[0][3].Image);
        Assert.Equal(10, manifests[0][0].Settings!.InferenceSteps);
        Assert.All(manifests[0].Zip(manifests[2]), pair => Assert.NotEqual(pair.First.Seed, pair.Second.Seed));
        for (var i = 1; i <= 5; i++)
        {
            var name = $"steps/{i:D3}.png";
            Assert.Equal(
                await app.ReadBlobAsync("datasets", outputs[0].Location.BlobName(name)),
                await app.ReadBlobAsync("datasets", outputs[1].Location.BlobName(name)));
        }

        Assert.Equal("shapes/manual-a/", outputs[0].Location.Prefix);
    }

    [Fact]
    public async Task Due_occurrences_start_once_however_often_the_timer_fires()
    {
        await using var app = await AppTestHost.StartAsync(new FakeIllustrator());
        Directory.CreateDirectory(app.Host.Settings.SchedulesPath);
        await File.WriteAllTextAsync(Path.Combine(app.Host.Settings.SchedulesPath, "nightly.json"), ScheduleJson);
        await File.WriteAllTextAsync(Path.Combine(app.Host.Settings.SchedulesPath, "broken.json"), "{\"cron\": \"61 * * * *\", \"prompts\": [\"x\"]}");
        var tick = new DateTime(2026, 1, 1, 2, 0, 30, DateTimeKind.Utc);

        var (started, log) = await app.Host.Scheduler.RunDueAsync(tick, CancellationToken.None);
        var (again, _) = await app.Host.Scheduler.RunDueAsync(tick.AddMinutes(5), CancellationToken.None);
        var (notDue, _) = await app.Host.Scheduler.RunDueAsync(tick.AddHours(12), CancellationToken.None);

        Assert.Equal(["dataset-nightly-20260101T020000Z"], started);
        Assert.Empty(again);
        Assert.Empty(notDue);
        Assert.Contains(log, l => l.Contains("broken.json", StringComparison.Ordinal) && l.Contains("minute", StringComparison.Ordinal));
        var done = await app.WaitAsync(started[0]);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var output = done.ReadOutputAs<DatasetRunOutput>()!;
        Assert.Equal(DatasetRunPlanner.DefaultRunSeed(DatasetScheduleLoader.Parse(System.Text.Encoding.UTF8.GetBytes(ScheduleJson), "nightly.json"), "20260101T020000Z"), output.RunSeed);
        Assert.Equal("nightly/20260101T020000Z/", output.Location.Prefix);
    }

    [Theory]
    [InlineData("{\"prompts\": []}", "prompts")]
    [InlineData("{\"prompts\": [\"x\"], \"count\": 0}", "count")]
    [InlineData("{\"prompts\": [\"x\"], \"colour\": 3}", "colour")]
    [InlineData("{\"prompts\": [\"x\"], \"cron\": \"* * *\"}", "3 fields")]
    [InlineData("{\"prompts\": [\"x\"], \"options\": {\"guidanceScale\": 80}}", "guidanceScale")]
    [InlineData("{\"name\": \"Bad Name\", \"prompts\": [\"x\"]}", "Bad Name")]
    public void A_bad_schedule_file_is_refused_naming_the_problem(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => DatasetScheduleLoader.Parse(System.Text.Encoding.UTF8.GetBytes(json), "s.json"));
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
