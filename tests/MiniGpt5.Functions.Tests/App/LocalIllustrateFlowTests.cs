using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using MiniGpt5.Functions.Books;
using MiniGpt5.Functions.Hosting;
using MiniGpt5.Functions.Manuscripts;
using MiniGpt5.Functions.Settings;
using MiniGpt5.Functions.Tests.Books;
using MiniGpt5.Storage;
using MiniGpt5.Testing;

namespace MiniGpt5.Functions.Tests.App;

/// <summary>
/// The `illustrate` command's flow end to end on the local backend, through the real <c>MiniGpt5Pipeline</c> on the
/// tiny golden model folder (tests/golden/minigpt5/turn/model, tiny SD at 32×32, 2 denoising steps for speed).
/// </summary>
public sealed class LocalIllustrateFlowTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "minigpt5-flow-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task Two_manuscripts_and_a_batch_with_a_malformed_line_become_books_through_the_real_pipeline()
    {
        var input = Path.Combine(_root, "in");
        Directory.CreateDirectory(input);
        File.WriteAllText(Path.Combine(input, "square.md"), "# The Square\n\nA blue square sits on a white background.\n\nThe blue square turns red.\n");
        File.WriteAllText(Path.Combine(input, "batch.jsonl"),
            "{\"title\": \"Circles\", \"steps\": [\"A red circle.\", \"Two red circles.\"]}\n{\"title\": \"broken\", \"steps\": [\"x\",]}\n");
        File.WriteAllText(Path.Combine(input, "notes.bin"), "ignored: not a manuscript extension");
        var settings = new MiniGpt5Settings
        {
            Storage = "local:" + Path.Combine(_root, "store"),
            Model = RepoPaths.GoldenFile("minigpt5", "turn", "model"),
            PartitionCount = 1,
            StepMaxAttempts = 1,
        };
        var views = new List<IReadOnlyList<ManuscriptStatusView>>();
        await using var host = await IllustrationHost.StartAsync(settings, StorageAccount.FromSetting(settings.Storage, _root));

        var books = await LocalIllustrationRunner.RunAsync(
            host,
            LocalIllustrationRunner.ExpandInputs(input),
            Path.Combine(_root, "out"),
            new ManuscriptOptions { InferenceSteps = 2 },
            new SyncProgress<IReadOnlyList<ManuscriptStatusView>>(views.Add),
            TimeSpan.FromMilliseconds(50));

        Assert.Equal(3, books.Count);
        var painted = books.Where(b => b.Succeeded).Sum(b => b.Counts!.Done);
        Assert.True(painted > 0, string.Join("; ", books.Select(b => $"{b.Source}: {b.Counts} {b.Error}")));
        var broken = Assert.Single(books, b => !b.Succeeded);
        Assert.Contains("batch.jsonl, line 2", broken.Error, StringComparison.Ordinal);
        foreach (var book in books.Where(b => b.Succeeded))
        {
            Assert.Equal(Path.Combine(book.Folder!, "index.html"), book.EntryPath);
            Assert.True(File.Exists(book.EntryPath));
            var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(book.Folder!, "manifest.json"))).RootElement;
            Assert.Equal(2, manifest.GetProperty("counts").GetProperty("total").GetInt32());
            var epub = File.ReadAllBytes(Path.Combine(book.Folder!, "book.epub"));
            Assert.Empty(EpubValidator.Validate(epub));
            using (var zip = new ZipArchive(new MemoryStream(epub)))
            {
                var container = XDocument.Load(zip.GetEntry("META-INF/container.xml")!.Open());
                var opfPath = container.Descendants().Single(e => e.Name.LocalName == "rootfile").Attribute("full-path")!.Value;
                var opf = XDocument.Load(zip.GetEntry(opfPath)!.Open());
                Assert.Equal("package", opf.Root!.Name.LocalName);
            }

            // Every step ran through the pipeline and recorded it; a step either has its PNG or says why not.
            for (var step = 1; step <= 2; step++)
            {
                var record = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(book.Folder!, "steps", $"{step:D3}.json")), BookJsonContext.Default.StepResult)!;
                Assert.Equal(Path.GetFileName(RepoPaths.GoldenFile("minigpt5", "turn", "model")), record.ModelName);
                Assert.Equal(64, record.ModelHash!.Length);
                Assert.Equal(2, record.Settings!.InferenceSteps);
                if (record.Status == StepStatus.Succeeded)
                {
                    var png = File.ReadAllBytes(Path.Combine(book.Folder!, "steps", $"{step:D3}.png"));
                    Assert.Equal((32, 32), (record.Settings.Width, record.Settings.Height));
                    Assert.Equal(0x89, png[0]);
                }
                else
                {
                    Assert.Contains("without an image", record.Error, StringComparison.Ordinal);
                }
            }
        }

        Assert.Contains(views, v => v.Any(m => m.Phase == Orchestrations.ProgressPhase.Completed));
        Assert.Equal(3, views[^1].Count);
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

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
