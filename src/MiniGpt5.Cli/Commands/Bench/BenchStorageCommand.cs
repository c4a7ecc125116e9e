using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using MiniGpt5.Storage;
using MiniGpt5.Storage.Azure;
using MiniGpt5.Storage.Emulator;

namespace MiniGpt5.Cli.Commands.Bench;

/// <summary>
/// `minigpt5 bench storage`: blob upload and download throughput and queue round trips (send, receive, delete)
/// of our stores, each beside an anchor measured in the same run on the same storage:
/// local store vs. plain file I/O on the same disk, Azure REST client vs. bare HttpClient requests (SAS-signed,
/// no pipeline, no retries, no XML model) to the same endpoint. Without --storage it measures the local store and
/// a private in-memory Azurite it starts (and says so).
/// </summary>
internal static partial class BenchStorageCommand
{
    private const int QueueRoundTrips = 100;
    private const int Repeats = 3;

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per case (name, unit, ours, anchor, ratio)." };
        var storage = new Option<string?>("--storage")
        {
            Description = "'local', or a connection string (Azurite or Azure). Default: the local store and a private Azurite started for the run.",
        };
        var sizeMb = new Option<int>("--size-mb")
        {
            Description = "Blob size for the upload/download cases, in MiB.",
            DefaultValueFactory = _ => 64,
        };
        var command = new Command("storage", "Blob upload/download MB/s and queue round trips/s: local store vs file I/O, Azure client vs bare HTTP.")
        {
            json,
            storage,
            sizeMb,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(json), parse.GetValue(storage), parse.GetValue(sizeMb), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(bool json, string? storage, int sizeMb, CancellationToken cancellationToken)
    {
        if (sizeMb is < 1 or > 4096)
        {
            await Console.Error.WriteLineAsync($"--size-mb must be 1 to 4096, not {sizeMb}.");
            return 2;
        }

        // Progress and notes go to stderr under --json, so stdout stays one JSON object per line.
        var log = json ? Console.Error : Console.Out;
        var payload = new byte[sizeMb * 1024 * 1024];
        new Random(5).NextBytes(payload);
        var results = new List<BenchResult>();
        try
        {
            if (storage is null || string.Equals(storage, "local", StringComparison.OrdinalIgnoreCase))
            {
                results.AddRange(await BenchLocalAsync(payload, log, cancellationToken));
            }

            if (storage is null)
            {
                var launcher = AzuriteProcess.Locate(Directory.GetCurrentDirectory()) ?? AzuriteProcess.Locate(AppContext.BaseDirectory);
                if (launcher is null)
                {
                    await Console.Error.WriteLineAsync(
                        "Azurite not found (tools/azurite/node_modules/.bin/azurite, MINIGPT5_AZURITE, or PATH): skipping the Azurite cases. " +
                        "Install it with scripts/test.sh or: cd tools/azurite && npm ci");
                }
                else
                {
                    await using var azurite = await AzuriteProcess.StartAsync(launcher, cancellationToken: cancellationToken);
                    await log.WriteLineAsync($"Started a private Azurite (in memory) at {azurite.BlobEndpoint} for this run (pid {azurite.ProcessId}).");
                    results.AddRange(await BenchAzureAsync("azurite", azurite.ConnectionString, payload, log, cancellationToken));
                }
            }
            else if (!string.Equals(storage, "local", StringComparison.OrdinalIgnoreCase))
            {
                var target = storage.Contains("127.0.0.1", StringComparison.Ordinal) || storage.Contains("UseDevelopmentStorage", StringComparison.OrdinalIgnoreCase)
                    ? "azurite"
                    : "azure";
                results.AddRange(await BenchAzureAsync(target, storage, payload, log, cancellationToken));
            }
        }
        catch (StorageConfigurationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (StorageException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        foreach (var result in results)
        {
            Console.WriteLine(json ? result.ToJson() : result.ToText());
        }

        return 0;
    }

    private static async Task<List<BenchResult>> BenchLocalAsync(byte[] payload, TextWriter log, CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), "minigpt5-bench-" + Guid.NewGuid().ToString("N"));
        var rawDir = Path.Combine(root, "raw");
        Directory.CreateDirectory(rawDir);
        await log.WriteLineAsync($"Local store in {root} ({payload.Length / (1024 * 1024)} MiB blob, best of {Repeats}; anchor: plain FileStream on the same disk).");
        try
        {
            var account = StorageAccount.Local(root);
            var mb = payload.Length / (1024.0 * 1024.0);
            await account.Blobs.CreateContainerAsync("bench", cancellationToken);

            var upload = await BestAsync(() => account.Blobs.PutAsync("bench", "blob", new MemoryStream(payload, writable: false), cancellationToken: cancellationToken));
            var rawPath = Path.Combine(rawDir, "blob");
            var rawUpload = await BestAsync(() => File.WriteAllBytesAsync(rawPath, payload, cancellationToken));

            var buffer = new byte[1 << 20];
            var download = await BestAsync(async () =>
            {
                await using var blob = await account.Blobs.GetAsync("bench", "blob", cancellationToken: cancellationToken);
                await DrainAsync(blob.Content, buffer, cancellationToken);
            });
            var rawDownload = await BestAsync(async () =>
            {
                await using var file = new FileStream(rawPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                await DrainAsync(file, buffer, cancellationToken);
            });

            await account.Queues.CreateQueueAsync("bench", cancellationToken);
            var queue = await RoundTripsPerSecondAsync(async () =>
            {
                await account.Queues.SendAsync("bench", "step 042 done", cancellationToken: cancellationToken);
                var message = (await account.Queues.ReceiveAsync("bench", 1, TimeSpan.FromSeconds(30), cancellationToken))[0];
                await account.Queues.DeleteAsync("bench", message.MessageId, message.PopReceipt, cancellationToken);
            });
            var message = Encoding.UTF8.GetBytes("step 042 done");
            var readBack = new byte[message.Length];
            var rawQueue = await RoundTripsPerSecondAsync(async () =>
            {
                // The floor under any file-backed queue: create, read back and delete one small file.
                // (Plain FileStreams: File.WriteAllText/ReadAllText measured 20-40x slower here, which would flatter us.)
                var path = Path.Combine(rawDir, Guid.NewGuid().ToString("N"));
                await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
                {
                    await file.WriteAsync(message, cancellationToken);
                }

                await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
                {
                    await file.ReadExactlyAsync(readBack, cancellationToken);
                }

                File.Delete(path);
            });

            return
            [
                BenchResult.HigherIsBetter("storage.local.upload", "MB/s", mb / upload, "FileStream write", mb / rawUpload),
                BenchResult.HigherIsBetter("storage.local.download", "MB/s", mb / download, "FileStream read", mb / rawDownload),
                BenchResult.HigherIsBetter("storage.local.queue-roundtrip", "ops/s", queue, "file create+read+delete", rawQueue),
            ];
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<List<BenchResult>> BenchAzureAsync(string target, string connectionString, byte[] payload, TextWriter log, CancellationToken cancellationToken)
    {
        var account = StorageAccount.FromConnectionString(connectionString);
        var settings = StorageConnectionString.Parse(connectionString);
        var sas = AccountSas.ForConnectionString(connectionString, DateTimeOffset.UtcNow.AddHours(2));
        await log.WriteLineAsync(
            $"{account.Description} ({payload.Length / (1024 * 1024)} MiB blob, best of {Repeats}; anchor: bare HttpClient with a SAS, same endpoint).");
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var container = "bench-" + suffix;
        var queueName = "bench-" + suffix;
        var mb = payload.Length / (1024.0 * 1024.0);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        await account.Blobs.CreateContainerAsync(container, cancellationToken);
        await account.Queues.CreateQueueAsync(queueName, cancellationToken);
        try
        {
            var upload = await BestAsync(() => account.Blobs.PutAsync(container, "ours", new MemoryStream(payload, writable: false), cancellationToken: cancellationToken));
            var anchorBlob = new Uri($"{settings.BlobEndpoint}/{container}/anchor?{sas}");
            var rawUpload = await BestAsync(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, anchorBlob) { Content = new ByteArrayContent(payload) };
                request.Headers.Add("x-ms-blob-type", "BlockBlob");
                request.Headers.Add("x-ms-version", "2025-11-05");
                using var response = await http.SendAsync(request, cancellationToken);
                response.EnsureSuccessStatusCode();
            });

            // Both read the same blob (the anchor's single-shot one): Azurite serves blobs committed from blocks
            // several times slower, which would measure the emulator, not the client.
            var buffer = new byte[1 << 20];
            var download = await BestAsync(async () =>
            {
                await using var blob = await account.Blobs.GetAsync(container, "anchor", cancellationToken: cancellationToken);
                await DrainAsync(blob.Content, buffer, cancellationToken);
            });
            var rawDownload = await BestAsync(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, anchorBlob);
                request.Headers.Add("x-ms-version", "2025-11-05");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                await DrainAsync(await response.Content.ReadAsStreamAsync(cancellationToken), buffer, cancellationToken);
            });

            var queue = await RoundTripsPerSecondAsync(async () =>
            {
                await account.Queues.SendAsync(queueName, "step 042 done", cancellationToken: cancellationToken);
                var message = (await account.Queues.ReceiveAsync(queueName, 1, TimeSpan.FromSeconds(30), cancellationToken))[0];
                await account.Queues.DeleteAsync(queueName, message.MessageId, message.PopReceipt, cancellationToken);
            });
            var messages = $"{settings.QueueEndpoint}/{queueName}/messages";
            var rawQueue = await RoundTripsPerSecondAsync(async () =>
            {
                using (var put = new HttpRequestMessage(HttpMethod.Post, $"{messages}?{sas}"))
                {
                    put.Headers.Add("x-ms-version", "2025-11-05");
                    put.Content = new StringContent("<QueueMessage><MessageText>c3RlcCAwNDIgZG9uZQ==</MessageText></QueueMessage>", Encoding.UTF8);
                    put.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/xml");
                    using var response = await http.SendAsync(put, cancellationToken);
                    response.EnsureSuccessStatusCode();
                }

                string body;
                using (var get = new HttpRequestMessage(HttpMethod.Get, $"{messages}?numofmessages=1&visibilitytimeout=30&{sas}"))
                {
                    get.Headers.Add("x-ms-version", "2025-11-05");
                    using var response = await http.SendAsync(get, cancellationToken);
                    response.EnsureSuccessStatusCode();
                    body = await response.Content.ReadAsStringAsync(cancellationToken);
                }

                var id = MessageId().Match(body).Groups[1].Value;
                var receipt = PopReceipt().Match(body).Groups[1].Value;
                using var delete = new HttpRequestMessage(HttpMethod.Delete, $"{messages}/{id}?popreceipt={Uri.EscapeDataString(receipt)}&{sas}");
                delete.Headers.Add("x-ms-version", "2025-11-05");
                using var deleted = await http.SendAsync(delete, cancellationToken);
                deleted.EnsureSuccessStatusCode();
            });

            return
            [
                // Ours uploads as the app does (blocks in parallel above BlobPutOptions.SingleShotLimit); the anchor is one Put Blob.
                BenchResult.HigherIsBetter($"storage.{target}.upload", "MB/s", mb / upload, "HttpClient Put Blob", mb / rawUpload),
                BenchResult.HigherIsBetter($"storage.{target}.download", "MB/s", mb / download, "HttpClient Get Blob", mb / rawDownload),
                BenchResult.HigherIsBetter($"storage.{target}.queue-roundtrip", "ops/s", queue, "HttpClient put+get+delete", rawQueue),
            ];
        }
        finally
        {
            await account.Blobs.DeleteContainerAsync(container, CancellationToken.None);
            await account.Queues.DeleteQueueAsync(queueName, CancellationToken.None);
        }
    }

    private static async Task DrainAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        while (await source.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    /// <summary>Best wall time in seconds over <see cref="Repeats"/> runs (after the first, which also warms up).</summary>
    private static async Task<double> BestAsync(Func<Task> run)
    {
        var best = double.MaxValue;
        for (var i = 0; i < Repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            await run();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    /// <summary>Sequential round trips per second: the best of <see cref="Repeats"/> batches, after a few warm-up ones.</summary>
    private static async Task<double> RoundTripsPerSecondAsync(Func<Task> roundTrip)
    {
        for (var i = 0; i < 10; i++)
        {
            await roundTrip();
        }

        var best = 0.0;
        for (var batch = 0; batch < Repeats; batch++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < QueueRoundTrips; i++)
            {
                await roundTrip();
            }

            best = Math.Max(best, QueueRoundTrips / watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    [GeneratedRegex("<MessageId>([^<]+)</MessageId>")]
    private static partial Regex MessageId();

    [GeneratedRegex("<PopReceipt>([^<]+)</PopReceipt>")]
    private static partial Regex PopReceipt();
}
