using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MiniGpt5.Functions.Tests.Books;
using MiniGpt5.Storage;
using MiniGpt5.Testing;

namespace MiniGpt5.Cli.Tests.EndToEnd;

/// <summary>
/// The service as deployed, with real processes on Azurite: <c>minigpt5 serve</c> (API + orchestrations) and two
/// <c>minigpt5 worker --task-queue gpu</c> on the tiny golden MiniGPT-5 model. A JSONL batch of three manuscripts, one
/// malformed, goes in through the HTTP API; one worker is killed with SIGKILL while steps are in flight. Two books
/// complete with every step image and a valid EPUB, each step image written once; the malformed manuscript fails
/// with its message; the batch reports 2/3.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ServeAndWorkersOnAzuriteTests(AzuriteFixture azurite)
{
    private const string Key = "e2e-key-4b1d";
    private const int StepsPerBook = 3;

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // The tiny golden model is random: for some texts and seeds it answers without an image. These texts (and so
    // these manuscript ids and seeds) give an image at every step, checked once with a local `serve`; the run is
    // deterministic on CPU. Line 2 is malformed JSON on purpose.
    private const string Batch = """
        {"title":"Circles","steps":["A big yellow sun.","A cat sits on a mat.","A blue square sits on a white background."]}
        {"title": "Broken", "steps": ["A green star.",
        {"title":"Squares","steps":["Two red circles sit side by side.","The circles roll to the left.","A yellow square appears beside it."]}

        """;

    [Fact]
    public async Task Batch_through_serve_and_two_workers_survives_a_killed_worker()
    {
        Assert.True(File.Exists(CliProcess.CliDll), $"The CLI is not built next to the tests ({CliProcess.CliDll}).");
        var port = FreePort();
        var hub = "e2e" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["MiniGpt5__TaskHub"] = hub,
            ["MiniGpt5__PartitionCount"] = "2",
            ["MiniGpt5__Model"] = RepoPaths.GoldenFile("minigpt5", "turn", "model"),
            ["MiniGpt5__ApiKeys"] = Key,
            ["MiniGpt5__StepMaxAttempts"] = "3",
            ["MiniGpt5__StepRetrySeconds"] = "0.5",
            ["MiniGpt5__BatchConcurrency"] = "3",
            // A killed worker's step comes back when its message's visibility lapses (2 min by default); a worker
            // that reads this setting makes the test that much shorter.
            ["MiniGpt5__ActivityVisibilityTimeoutSeconds"] = "10",
        };
        var blobs = StorageAccount.FromConnectionString(azurite.ConnectionString).Blobs;
        await blobs.CreateContainerAsync("illustrated"); // so the watcher below can list it before the first step lands
        using var serve = CliProcess.Start("serve", new Dictionary<string, string>(environment) { ["MiniGpt5__TaskQueues"] = "default" },
            "serve", "--urls", $"http://127.0.0.1:{port}", "--no-ingestion", "--no-schedules");
        using var workerA = CliProcess.Start("worker A", environment, "worker", "--task-queue", "gpu");
        using var workerB = CliProcess.Start("worker B", environment, "worker", "--task-queue", "gpu");
        var processes = new[] { serve, workerA, workerB };
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-api-key", Key);
        try
        {
            await WaitUntilAsync(async () => (await TryGetAsync(http, "readyz")) == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "serve to be ready", processes);

            using var submitted = await http.PostAsync("api/manuscripts?name=shelf.jsonl&inference_steps=2",
                new StringContent(Batch, Encoding.UTF8, "application/x-ndjson"));
            var submission = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            var batchId = submission.GetProperty("id").GetString()!;
            var items = submission.GetProperty("manuscripts").EnumerateArray().ToList();
            Assert.Equal(3, items.Count);
            var good = new[] { items[0].GetProperty("manuscriptId").GetString()!, items[2].GetProperty("manuscriptId").GetString()! };
            var broken = items[1].GetProperty("manuscriptId").GetString()!;

            // Watch step images appear, remembering each one's first ETag; kill worker A once work is under way.
            var firstETags = new Dictionary<string, string>(StringComparer.Ordinal);
            var killedAt = -1;
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
            JsonElement batch;
            while (true)
            {
                foreach (var id in good)
                {
                    var page = await blobs.ListPageAsync("illustrated", new BlobListOptions(Prefix: $"{id}/steps/"));
                    foreach (var blob in page.Blobs.Where(b => b.Name.EndsWith(".png", StringComparison.Ordinal)))
                    {
                        firstETags.TryAdd(blob.Name, blob.ETag);
                    }
                }

                if (killedAt < 0 && firstETags.Count >= 1)
                {
                    killedAt = firstETags.Count;
                    workerA.KillHard();
                }

                using var status = await http.GetAsync($"api/instances/{batchId}");
                batch = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.Clone();
                if (status.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"The batch did not finish in time: {batch}\n{Logs(processes)}");
                await Task.Delay(200);
            }

            Assert.True(killedAt is > 0 and < 2 * StepsPerBook, $"worker A was not killed mid-run (images at kill: {killedAt})");

            // The batch: two books, one failure, 2/3.
            Assert.True(batch.GetProperty("runtimeStatus").GetString() == "Completed", $"{batch}\n{Logs(processes)}");
            var output = batch.GetProperty("output");
            Assert.Equal((3, 2, 1), (output.GetProperty("total").GetInt32(), output.GetProperty("succeeded").GetInt32(), output.GetProperty("failed").GetInt32()));
            Assert.Equal("2/3", $"{batch.GetProperty("customStatus").GetProperty("done").GetInt32()}/{batch.GetProperty("customStatus").GetProperty("total").GetInt32()}");
            var brokenItem = output.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("manuscriptId").GetString() == broken);
            Assert.False(brokenItem.GetProperty("succeeded").GetBoolean());
            Assert.Contains("shelf.jsonl, line 2", brokenItem.GetProperty("error").GetString(), StringComparison.Ordinal);

            using (var brokenStatus = await http.GetAsync($"api/instances/{broken}"))
            {
                var instance = JsonDocument.Parse(await brokenStatus.Content.ReadAsStringAsync()).RootElement;
                Assert.Equal("Failed", instance.GetProperty("runtimeStatus").GetString());
                Assert.Contains("shelf.jsonl, line 2", instance.GetProperty("failure").GetProperty("message").GetString(), StringComparison.Ordinal);
            }

            foreach (var id in good)
            {
                await CheckBookAsync(http, blobs, id, firstETags, () => Logs(processes));
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }
    }

    private static async Task CheckBookAsync(HttpClient http, IBlobStore blobs, string id, Dictionary<string, string> firstETags, Func<string> logs)
    {
        using var instance = await http.GetAsync($"api/instances/{id}");
        var status = JsonDocument.Parse(await instance.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Completed", status.GetProperty("runtimeStatus").GetString());

        var manifest = JsonDocument.Parse(await http.GetByteArrayAsync($"books/{id}/manifest.json")).RootElement;
        var counts = manifest.GetProperty("counts");
        Assert.True((StepsPerBook, StepsPerBook, 0) == (counts.GetProperty("total").GetInt32(), counts.GetProperty("done").GetInt32(), counts.GetProperty("failed").GetInt32()),
            $"book {id} is not complete: {manifest}\n{logs()}");

        for (var step = 1; step <= StepsPerBook; step++)
        {
            var name = $"steps/{step:000}.png";
            var png = await http.GetByteArrayAsync($"books/{id}/{name}");
            Assert.True(png.AsSpan().StartsWith(PngSignature), $"{id}/{name} is not a PNG");
            var stepJson = await http.GetAsync($"books/{id}/steps/{step:000}.json");
            Assert.Equal(HttpStatusCode.OK, stepJson.StatusCode);

            // Written once: create-only writes mean a retried or duplicated step never replaced the first image.
            var properties = await blobs.GetPropertiesAsync("illustrated", $"{id}/{name}");
            if (firstETags.TryGetValue($"{id}/{name}", out var first))
            {
                Assert.Equal(first, properties.ETag);
            }
        }

        var epub = await http.GetByteArrayAsync($"books/{id}/book.epub");
        Assert.Empty(EpubValidator.Validate(epub));
        var html = await http.GetStringAsync($"books/{id}/index.html");
        Assert.Equal(StepsPerBook, CountOf(html, "<img "));
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CliProcess[] processes)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.\n{Logs(processes)}");
            Assert.False(processes[0].HasExited, $"serve exited.\n{Logs(processes)}");
            await Task.Delay(200);
        }
    }

    private static string Logs(IEnumerable<CliProcess> processes) =>
        string.Join("\n", processes.Select(p => $"--- {p.Name} ---\n{Tail(p.Output)}"));

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
