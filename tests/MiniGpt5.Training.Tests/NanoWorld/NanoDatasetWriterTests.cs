using System.Text.Json;
using MiniGpt5.Imaging;
using MiniGpt5.Training.NanoWorld;
using MiniGpt5.Training.NanoWorld.Dataset;

namespace MiniGpt5.Training.Tests.NanoWorld;

public sealed class NanoDatasetWriterTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nanoworld-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Writes_the_cc3m_and_vist_layouts_the_loaders_read()
    {
        var output = Path.Combine(_root, "a");
        var progress = new List<NanoDatasetProgress>();
        var result = await NanoDatasetWriter.WriteAsync(
            new NanoDatasetRequest(output, 5, [new NanoSplitRequest(NanoSplit.Train, 12, 4), new NanoSplitRequest(NanoSplit.Test, 3, 2)]),
            new SynchronousProgress(progress));

        Assert.Equal(Path.GetFullPath(output), result.OutputDirectory);
        var train = result.Splits.Single(s => s.Split == NanoSplit.Train);
        Assert.Equal((12, 4), (train.Captions, train.Stories));
        Assert.Equal(result.Images, progress[^1].ImagesWritten);
        Assert.Equal(progress[^1].ImagesTotal, progress[^1].ImagesWritten);

        // CC3M: header, then caption<TAB>path relative to the CC3M folder; captions read back as their scene.
        var lines = File.ReadAllLines(Path.Combine(output, "CC3M", "cc3m_train.tsv"));
        Assert.Equal("caption\timage_path", lines[0]);
        Assert.Equal(13, lines.Length);
        var expected = NanoDatasetSampler.Captions(5, NanoSplit.Train).Take(12).ToList();
        for (var i = 0; i < 12; i++)
        {
            var fields = lines[i + 1].Split('\t');
            Assert.Equal(2, fields.Length);
            Assert.Equal(expected[i].Caption, fields[0]);
            Assert.Equal($"train/{i + 1:D9}.png", fields[1]);
            var image = ImageCodec.Decode(await File.ReadAllBytesAsync(Path.Combine(output, "CC3M", fields[1])));
            Assert.Equal(NanoSceneRenderer.Render(NanoCaptionParser.Parse(fields[0])).Pixels, image.Pixels);
        }

        // VIST: {story_id: [{caption, image_id, sequence_index}]} and {image_id: path relative to the VIST folder}.
        var stories = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "VIST", "test_cleaned.json"))).RootElement;
        var mapping = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "VIST", "test_image_mapping.json"))).RootElement;
        var expectedStories = NanoDatasetSampler.Stories(5, NanoSplit.Test).Take(2).ToList();
        Assert.Equal(["1", "2"], stories.EnumerateObject().Select(p => p.Name));
        var images = 0;
        foreach (var (story, want) in stories.EnumerateObject().Zip(expectedStories))
        {
            var steps = story.Value.EnumerateArray().ToList();
            Assert.Equal(want.Story.Steps.Count, steps.Count);
            for (var i = 0; i < steps.Count; i++)
            {
                Assert.Equal(["caption", "image_id", "sequence_index"], steps[i].EnumerateObject().Select(p => p.Name));
                Assert.Equal(want.Story.Steps[i].Text, steps[i].GetProperty("caption").GetString());
                Assert.Equal(i, steps[i].GetProperty("sequence_index").GetInt32());
                var path = mapping.GetProperty(steps[i].GetProperty("image_id").GetString()!).GetString()!;
                Assert.Equal($"test_images/{++images:D9}.png", path);
                var image = ImageCodec.Decode(await File.ReadAllBytesAsync(Path.Combine(output, "VIST", path)));
                Assert.Equal(NanoSceneRenderer.Render(want.Story.Steps[i].Scene).Pixels, image.Pixels);
            }
        }

        Assert.Equal(images, mapping.EnumerateObject().Count());
        var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "nanoworld_test.json"))).RootElement;
        Assert.Equal(NanoWorldInfo.Version, manifest.GetProperty("world_version").GetInt32());
        Assert.Equal(5UL, manifest.GetProperty("seed").GetUInt64());
        Assert.Equal("VIST/test_cleaned.json", manifest.GetProperty("vist_json").GetString());

        // Nothing else: no staging folder left, no val files.
        Assert.Equal(
            ["CC3M", "VIST", "nanoworld_test.json", "nanoworld_train.json"],
            Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Same_seed_writes_identical_bytes()
    {
        var request = (string folder) => new NanoDatasetRequest(Path.Combine(_root, folder), 9, [new NanoSplitRequest(NanoSplit.Val, 10, 3)]);
        await NanoDatasetWriter.WriteAsync(request("x"));
        await NanoDatasetWriter.WriteAsync(request("y"));
        var x = Files(Path.Combine(_root, "x"));
        var y = Files(Path.Combine(_root, "y"));
        Assert.Equal(x.Keys, y.Keys);
        Assert.All(x, f => Assert.Equal(f.Value, y[f.Key]));
        Assert.True(x.Count > 20);
    }

    [Fact]
    public async Task A_non_empty_folder_is_refused_without_force_and_untouched()
    {
        var output = Path.Combine(_root, "busy");
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "notes.txt"), "mine");
        var error = await Assert.ThrowsAsync<NanoDatasetException>(() =>
            NanoDatasetWriter.WriteAsync(new NanoDatasetRequest(output, 0, [new NanoSplitRequest(NanoSplit.Train, 2, 0)])));
        Assert.Contains(output, error.Message, StringComparison.Ordinal);
        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Force_replaces_the_written_split_only()
    {
        var output = Path.Combine(_root, "forced");
        await NanoDatasetWriter.WriteAsync(new NanoDatasetRequest(output, 0,
            [new NanoSplitRequest(NanoSplit.Train, 6, 2), new NanoSplitRequest(NanoSplit.Val, 4, 1)]));
        var valBefore = Files(Path.Combine(output, "CC3M", "val"));

        // Rewrite train smaller and without stories: its old images and VIST files go, val stays as it was.
        await NanoDatasetWriter.WriteAsync(new NanoDatasetRequest(output, 1, [new NanoSplitRequest(NanoSplit.Train, 3, 0)], Force: true));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(output, "CC3M", "train")).Length);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(output, "CC3M", "cc3m_train.tsv")).Length);
        Assert.False(File.Exists(Path.Combine(output, "VIST", "train_cleaned.json")));
        Assert.False(Directory.Exists(Path.Combine(output, "VIST", "train_images")));
        Assert.True(File.Exists(Path.Combine(output, "VIST", "val_cleaned.json")));
        var valAfter = Files(Path.Combine(output, "CC3M", "val"));
        Assert.All(valBefore, f => Assert.Equal(f.Value, valAfter[f.Key]));
        Assert.DoesNotContain(Directory.EnumerateDirectories(output), d => Path.GetFileName(d).StartsWith(".nanoworld-staging", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancellation_leaves_no_files_under_final_names()
    {
        var output = Path.Combine(_root, "cancelled");
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress([], onReport: p =>
        {
            if (p.ImagesWritten >= 5)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            NanoDatasetWriter.WriteAsync(new NanoDatasetRequest(output, 0, [new NanoSplitRequest(NanoSplit.Train, 400, 0)]), progress, cancel.Token));
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Theory]
    [InlineData(-1, 0, "counts must be zero or more")]
    [InlineData(0, 0, "Nothing to write")]
    public async Task Bad_counts_are_refused(int captions, int stories, string reason)
    {
        var error = await Assert.ThrowsAsync<NanoDatasetException>(() =>
            NanoDatasetWriter.WriteAsync(new NanoDatasetRequest(Path.Combine(_root, "bad"), 0, [new NanoSplitRequest(NanoSplit.Train, captions, stories)])));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "bad")));
    }

    [Fact]
    public async Task A_split_asked_twice_is_refused()
    {
        var error = await Assert.ThrowsAsync<NanoDatasetException>(() => NanoDatasetWriter.WriteAsync(new NanoDatasetRequest(
            Path.Combine(_root, "twice"), 0, [new NanoSplitRequest(NanoSplit.Val, 1, 0), new NanoSplitRequest(NanoSplit.Val, 2, 0)])));
        Assert.Contains("'val'", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, byte[]> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    private sealed class SynchronousProgress(List<NanoDatasetProgress> log, Action<NanoDatasetProgress>? onReport = null) : IProgress<NanoDatasetProgress>
    {
        private readonly Lock _gate = new();

        public void Report(NanoDatasetProgress value)
        {
            lock (_gate)
            {
                log.Add(value);
            }

            onReport?.Invoke(value);
        }
    }
}
