using System.Diagnostics;
using System.Globalization;
using System.Text;
using MiniGpt5.Storage.Local;

namespace MiniGpt5.Storage.Tests.Local;

/// <summary>What only the local store has to prove: clock-driven expiry, restarts, crash leftovers, real processes, the disk layout.</summary>
public sealed class LocalStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "minigpt5-local-" + Guid.NewGuid().ToString("N"));
    private readonly ManualClock _clock = new();

    private LocalStorageOptions Options => new() { TimeProvider = _clock };

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task A_lease_expires_by_the_clock_and_then_anyone_may_take_it()
    {
        var blobs = new LocalBlobStore(_root, Options);
        await blobs.CreateContainerAsync("leases");
        await blobs.PutAsync("leases", "partition-01", new MemoryStream([1]));
        var first = await blobs.AcquireLeaseAsync("leases", "partition-01", TimeSpan.FromSeconds(15));

        _clock.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(BlobLeaseState.Leased, (await blobs.GetPropertiesAsync("leases", "partition-01")).LeaseState);
        await Assert.ThrowsAsync<BlobLeaseConflictException>(() => blobs.AcquireLeaseAsync("leases", "partition-01", TimeSpan.FromSeconds(15)));

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(BlobLeaseState.Expired, (await blobs.GetPropertiesAsync("leases", "partition-01")).LeaseState);
        await blobs.PutAsync("leases", "partition-01", new MemoryStream([2])); // An expired lease guards nothing.
        await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => blobs.PutAsync("leases", "partition-01", new MemoryStream([3]), new BlobPutOptions { Conditions = new BlobConditions(LeaseId: first) }));

        var second = await blobs.AcquireLeaseAsync("leases", "partition-01", TimeSpan.FromSeconds(60));
        Assert.NotEqual(first, second);
        await Assert.ThrowsAsync<BlobLeaseConflictException>(() => blobs.RenewLeaseAsync("leases", "partition-01", first));
    }

    [Fact]
    public async Task An_expired_lease_that_nobody_took_can_be_renewed_by_its_holder()
    {
        var blobs = new LocalBlobStore(_root, Options);
        await blobs.CreateContainerAsync("leases");
        await blobs.PutAsync("leases", "p", new MemoryStream([1]));
        var lease = await blobs.AcquireLeaseAsync("leases", "p", TimeSpan.FromSeconds(20));
        _clock.Advance(TimeSpan.FromSeconds(25));
        await blobs.RenewLeaseAsync("leases", "p", lease);
        Assert.Equal(BlobLeaseState.Leased, (await blobs.GetPropertiesAsync("leases", "p")).LeaseState);
        _clock.Advance(TimeSpan.FromSeconds(19));
        await Assert.ThrowsAsync<BlobLeaseConflictException>(() => blobs.AcquireLeaseAsync("leases", "p", TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Break_without_a_period_waits_out_a_fixed_lease()
    {
        var blobs = new LocalBlobStore(_root, Options);
        await blobs.CreateContainerAsync("leases");
        await blobs.PutAsync("leases", "p", new MemoryStream([1]));
        await blobs.AcquireLeaseAsync("leases", "p", TimeSpan.FromSeconds(40));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(30), await blobs.BreakLeaseAsync("leases", "p"));
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(BlobLeaseState.Breaking, (await blobs.GetPropertiesAsync("leases", "p")).LeaseState);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(BlobLeaseState.Broken, (await blobs.GetPropertiesAsync("leases", "p")).LeaseState);
    }

    [Fact]
    public async Task Everything_survives_a_restart_because_state_lives_on_disk_only()
    {
        {
            var blobs = new LocalBlobStore(_root, Options);
            var queues = new LocalQueueStore(_root, Options);
            await blobs.CreateContainerAsync("books");
            await blobs.PutAsync("books", "book one/index.html", new MemoryStream("<html/>"u8.ToArray()), new BlobPutOptions { ContentType = "text/html" });
            await blobs.CreateAppendBlobAsync("books", "history");
            await blobs.AppendBlockAsync("books", "history", "event 1\n"u8.ToArray());
            await blobs.AcquireLeaseAsync("books", "history", Timeout.InfiniteTimeSpan, "11111111-2222-3333-4444-555555555555");
            await queues.CreateQueueAsync("work");
            await queues.SendAsync("work", "held by the process that dies");
            _clock.Advance(TimeSpan.FromSeconds(1));
            await queues.SendAsync("work", "still waiting");
            var taken = await queues.ReceiveAsync("work", 1, TimeSpan.FromSeconds(30));
            Assert.Equal("held by the process that dies", Assert.Single(taken).Text);
        }

        // A new process: fresh store objects over the same folder.
        var reopenedBlobs = new LocalBlobStore(_root, Options);
        var reopenedQueues = new LocalQueueStore(_root, Options);
        await using (var page = await reopenedBlobs.GetAsync("books", "book one/index.html"))
        {
            Assert.Equal("text/html", page.Properties.ContentType);
        }

        var history = await reopenedBlobs.GetPropertiesAsync("books", "history");
        Assert.Equal(BlobLeaseState.Leased, history.LeaseState);
        await reopenedBlobs.AppendBlockAsync("books", "history", "event 2\n"u8.ToArray(), 8, new BlobConditions(LeaseId: "11111111-2222-3333-4444-555555555555"));

        Assert.Equal(2, await reopenedQueues.GetApproximateCountAsync("work"));
        var next = Assert.Single(await reopenedQueues.ReceiveAsync("work", 32, TimeSpan.FromMinutes(5)));
        Assert.Equal("still waiting", next.Text);

        // The message the dead process held comes back once its visibility runs out, with its history.
        _clock.Advance(TimeSpan.FromSeconds(31));
        var redelivered = Assert.Single(await reopenedQueues.ReceiveAsync("work", 32, TimeSpan.FromSeconds(30)));
        Assert.Equal("held by the process that dies", redelivered.Text);
        Assert.Equal(2, redelivered.DequeueCount);
    }

    [Fact]
    public async Task A_change_interrupted_between_writing_the_new_version_and_deleting_the_old_one_resolves_to_the_new()
    {
        var queues = new LocalQueueStore(_root, Options);
        await queues.CreateQueueAsync("work");
        await queues.SendAsync("work", "job");
        var messageDir = Path.Combine(_root, "queues", "work", "m");
        var before = Directory.GetFiles(messageDir).Single();
        var beforeBytes = await File.ReadAllBytesAsync(before);
        var received = Assert.Single(await queues.ReceiveAsync("work", 1, TimeSpan.FromSeconds(30)));

        // Put the old version back, as if the process died before deleting it.
        await File.WriteAllBytesAsync(before, beforeBytes);
        Assert.Equal(2, Directory.GetFiles(messageDir).Length);

        Assert.Equal(1, await queues.GetApproximateCountAsync("work"));
        Assert.Empty(await queues.ReceiveAsync("work", 32, TimeSpan.FromSeconds(30))); // The newer, hidden version wins.
        Assert.Single(Directory.GetFiles(messageDir)); // And the leftover is cleaned up.
        await queues.DeleteAsync("work", received.MessageId, received.PopReceipt);
        Assert.Equal(0, await queues.GetApproximateCountAsync("work"));
    }

    [Fact]
    public async Task Bytes_from_an_append_that_crashed_before_its_record_are_never_read_and_get_overwritten()
    {
        var blobs = new LocalBlobStore(_root, Options);
        await blobs.CreateContainerAsync("logs");
        await blobs.CreateAppendBlobAsync("logs", "log");
        await blobs.AppendBlockAsync("logs", "log", "committed\n"u8.ToArray());
        var dataFile = Directory.GetFiles(Path.Combine(_root, "blobs", "logs", "data")).Single();
        await File.AppendAllTextAsync(dataFile, "torn write that was never acknowledged");

        Assert.Equal("committed\n", await ReadTextAsync(blobs, "logs", "log"));
        await blobs.AppendBlockAsync("logs", "log", "next\n"u8.ToArray(), expectedAppendPosition: 10);
        Assert.Equal("committed\nnext\n", await ReadTextAsync(blobs, "logs", "log"));
    }

    [Fact]
    public async Task A_data_file_deleted_by_hand_is_reported_as_a_corrupt_store()
    {
        var blobs = new LocalBlobStore(_root, Options);
        await blobs.CreateContainerAsync("ccc");
        await blobs.PutAsync("ccc", "b", new MemoryStream([1, 2]));
        File.Delete(Directory.GetFiles(Path.Combine(_root, "blobs", "ccc", "data")).Single());
        var e = await Assert.ThrowsAsync<StorageException>(() => blobs.GetAsync("ccc", "b"));
        Assert.Equal("CorruptRecord", e.ErrorCode);
        Assert.Contains("Blob 'b' in container 'ccc'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_started_before_an_append_sees_a_consistent_snapshot()
    {
        var blobs = new LocalBlobStore(_root, Options);
        await blobs.CreateContainerAsync("logs");
        await blobs.CreateAppendBlobAsync("logs", "log");
        await blobs.AppendBlockAsync("logs", "log", "one\n"u8.ToArray());
        await using var download = await blobs.GetAsync("logs", "log");
        await blobs.AppendBlockAsync("logs", "log", "two\n"u8.ToArray());
        using var reader = new StreamReader(download.Content);
        Assert.Equal("one\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Overwriting_a_blob_being_read_does_not_disturb_the_reader()
    {
        var blobs = new LocalBlobStore(_root, Options);
        await blobs.CreateContainerAsync("ccc");
        var original = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        await blobs.PutAsync("ccc", "b", new MemoryStream(original));
        await using var download = await blobs.GetAsync("ccc", "b");
        await blobs.PutAsync("ccc", "b", new MemoryStream(new byte[10]));
        using var copy = new MemoryStream();
        await download.Content.CopyToAsync(copy);
        Assert.Equal(original, copy.ToArray());
    }

    [Fact]
    public async Task Hostile_names_stay_flat_files_inside_the_container_folder()
    {
        var blobs = new LocalBlobStore(_root, Options);
        await blobs.CreateContainerAsync("ccc");
        string[] names =
        [
            "a..b/...x/..y", "/leading", "trailing/", "//double//slash", "con/nul/aux.txt", "%2e%2e/%2fencoded",
            "^caret^", "UPPER", "upper", ".hidden", "résumé", "😀/😀", new string('Ä', 300), "a:b*c?d\"e<f>g|h",
        ];
        foreach (var name in names)
        {
            await blobs.PutAsync("ccc", name, new MemoryStream(Encoding.UTF8.GetBytes(name)));
        }

        var containerDir = Path.Combine(_root, "blobs", "ccc");
        Assert.Empty(Directory.GetDirectories(Path.Combine(containerDir, "meta")));
        var files = Directory.GetFiles(Path.Combine(containerDir, "meta")).Select(Path.GetFileName).ToArray();
        Assert.Equal(names.Length, files.Length);
        Assert.All(files, f => Assert.Matches("^[bh]\\.[a-z0-9._%^-]+$", f!));
        Assert.Equal(files.Length, files.Distinct(StringComparer.OrdinalIgnoreCase).Count()); // Safe on case-insensitive disks.
        Assert.DoesNotContain(Directory.GetFileSystemEntries(_root, "*", SearchOption.AllDirectories), p => !Path.GetFullPath(p).StartsWith(_root, StringComparison.Ordinal));

        foreach (var name in names)
        {
            Assert.Equal(name, await ReadTextAsync(blobs, "ccc", name));
        }
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("With Spaces/and/Slashes")]
    [InlineData("ünïcödé 名前 🎨")]
    [InlineData("ends with dot.")]
    [InlineData("%41^")]
    public void Name_encoding_round_trips(string name)
    {
        var encoded = LocalNameCodec.Encode(name);
        Assert.StartsWith(LocalNameCodec.EscapedPrefix, encoded, StringComparison.Ordinal);
        Assert.Equal(encoded.ToLowerInvariant(), encoded);
        Assert.False(encoded.EndsWith('.'));
        Assert.Equal(name, LocalNameCodec.TryDecode(encoded));
    }

    [Fact]
    public void Long_names_are_stored_under_a_hash()
    {
        var encoded = LocalNameCodec.Encode(new string('字', 200));
        Assert.True(LocalNameCodec.IsHashed(encoded));
        Assert.Null(LocalNameCodec.TryDecode(encoded));
        Assert.True(encoded.Length < 100);
    }

    [Fact]
    public async Task Worker_processes_sharing_the_folder_lose_no_update_and_never_share_a_message()
    {
        var setup = new LocalBlobStore(_root);
        var queues = new LocalQueueStore(_root);
        await setup.CreateContainerAsync("shared");
        await setup.PutAsync("shared", "counter", new MemoryStream("0"u8.ToArray()));
        await queues.CreateQueueAsync("jobs");
        const int Messages = 80;
        for (var i = 0; i < Messages; i++)
        {
            await queues.SendAsync("jobs", i.ToString("D3", CultureInfo.InvariantCulture));
        }

        const int Processes = 4;
        const int Increments = 10;
        var workers = Enumerable.Range(0, Processes).Select(_ => StartWorker("shared", "jobs", Increments)).ToArray();
        var results = await Task.WhenAll(workers.Select(async process =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, Error: await stderr);
        }));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, $"worker failed with exit code {r.ExitCode}: {r.Error}"));
        Assert.Equal((Processes * Increments).ToString(CultureInfo.InvariantCulture), await ReadTextAsync(setup, "shared", "counter"));
        var received = new List<string>();
        string? token = null;
        do
        {
            var page = await setup.ListPageAsync("shared", new BlobListOptions(Prefix: "received/"), token);
            received.AddRange(page.Blobs.Select(b => b.Name));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(Messages, received.Count);
        Assert.Equal(0, await queues.GetApproximateCountAsync("jobs"));
    }

    private Process StartWorker(string container, string queue, int increments)
    {
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = false,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "exec", typeof(WorkerProgram).Assembly.Location, WorkerProgram.Verb, _root, container, queue,
                     increments.ToString(CultureInfo.InvariantCulture),
                 })
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("Could not start a worker process.");
    }

    private static async Task<string> ReadTextAsync(LocalBlobStore blobs, string container, string name)
    {
        await using var download = await blobs.GetAsync(container, name);
        using var reader = new StreamReader(download.Content);
        return await reader.ReadToEndAsync();
    }
}
