using System.Security.Cryptography;
using System.Text;

namespace MiniGpt5.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    [Fact]
    public async Task Container_create_and_delete_report_whether_anything_changed()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..20];
        Assert.True(await Blobs.CreateContainerAsync(name));
        Assert.False(await Blobs.CreateContainerAsync(name));
        Assert.True(await Blobs.DeleteContainerAsync(name));
        Assert.False(await Blobs.DeleteContainerAsync(name));
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("ab")]
    [InlineData("has_underscore")]
    [InlineData("double--hyphen")]
    [InlineData("-leading")]
    public async Task Invalid_container_names_are_rejected_with_the_rule(string bad)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Blobs.CreateContainerAsync(bad));
        Assert.Contains(bad, e.Message, StringComparison.Ordinal);
        Assert.Contains("lowercase", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_then_get_returns_same_bytes_and_properties()
    {
        var container = await NewContainerAsync();
        var bytes = RandomBytes(100_000, seed: 1);
        var written = await Blobs.PutAsync(
            container,
            "data.bin",
            new MemoryStream(bytes),
            new BlobPutOptions
            {
                ContentType = "application/x-test",
                Metadata = new Dictionary<string, string> { ["step"] = "7", ["Origin"] = "unit test" },
            });

        var download = await Blobs.GetAsync(container, "data.bin");
        Assert.Equal(written.ETag, download.Properties.ETag);
        Assert.Equal(bytes.Length, download.Properties.ContentLength);
        Assert.Equal("application/x-test", download.Properties.ContentType);
        Assert.Equal(BlobKind.Block, download.Properties.Kind);
        Assert.Equal(bytes, await ReadAllAsync(download));

        var properties = await Blobs.GetPropertiesAsync(container, "data.bin");
        Assert.Equal(written.ETag, properties.ETag);
        Assert.Equal("7", properties.Metadata["step"]);
        Assert.Equal("unit test", properties.Metadata["origin"]); // Metadata names are case-insensitive.
        Assert.Equal(BlobLeaseState.Available, properties.LeaseState);
    }

    [Fact]
    public async Task Empty_blob_round_trips()
    {
        var container = await NewContainerAsync();
        await Blobs.PutAsync(container, "empty", new MemoryStream());
        var download = await Blobs.GetAsync(container, "empty");
        Assert.Equal(0, download.Properties.ContentLength);
        Assert.Equal("application/octet-stream", download.Properties.ContentType); // The service's default.
        Assert.Empty(await ReadAllAsync(download));
    }

    [Fact]
    public async Task Overwrite_replaces_content_and_changes_the_etag()
    {
        var container = await NewContainerAsync();
        var first = await PutTextAsync(container, "doc", "one");
        var second = await PutTextAsync(container, "doc", "two, longer");
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal("two, longer", await ReadTextAsync(container, "doc"));
    }

    [Fact]
    public async Task Names_with_spaces_unicode_and_slashes_round_trip_and_list_exactly()
    {
        var container = await NewContainerAsync();
        string[] names =
        [
            "my book/chapter 1/page one.png",
            "Ünïcödé/名前/画像 🎨.json",
            "UPPER and lower/Mixed.Case",
            "upper and lower/mixed.case",
            "percent%20not-decoded & ampersand+plus=equals?query#hash",
            "trailing dot.",
            "a/b/c/d/e/f/g",
            "CON",
            "/leading slash",
            "trailing slash/",
            "double//slash",
            "a..b/...x/..y",
            "~tilde;semi:colon",
            "'quotes' and \"double\"",
            new string('x', 300),
        ];
        for (var i = 0; i < names.Length; i++)
        {
            await PutTextAsync(container, names[i], $"content {i}");
        }

        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal($"content {i}", await ReadTextAsync(container, names[i]));
        }

        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await Blobs.ListPageAsync(container, null, token);
            listed.AddRange(page.Blobs.Select(b => b.Name));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), listed.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("a/./b")]
    [InlineData("..")]
    public async Task Relative_path_segments_are_rejected_clearly(string name)
    {
        var container = await NewContainerAsync();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => PutTextAsync(container, name, "x"));
        Assert.Contains("segment", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Blobs.GetAsync(container, name));
    }

    [Fact]
    public async Task Control_characters_and_empty_names_are_rejected()
    {
        var container = await NewContainerAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => PutTextAsync(container, "new\nline", "x"));
        await Assert.ThrowsAsync<ArgumentException>(() => PutTextAsync(container, string.Empty, "x"));
        await Assert.ThrowsAsync<ArgumentException>(() => PutTextAsync(container, new string('y', 1025), "x"));
        var backslash = await Assert.ThrowsAsync<ArgumentException>(() => PutTextAsync(container, "dir\\file", "x"));
        Assert.Contains("backslash", backslash.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_blob_and_missing_container_are_typed_not_found()
    {
        var container = await NewContainerAsync();
        var blob = await Assert.ThrowsAsync<BlobNotFoundException>(() => Blobs.GetAsync(container, "nope"));
        Assert.Equal(404, blob.Status);
        Assert.Equal("BlobNotFound", blob.ErrorCode);
        Assert.Contains("nope", blob.Message, StringComparison.Ordinal);
        Assert.Contains(container, blob.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<BlobNotFoundException>(() => Blobs.GetPropertiesAsync(container, "nope"));

        var missing = "m" + Guid.NewGuid().ToString("N")[..20];
        var noContainer = await Assert.ThrowsAsync<BlobNotFoundException>(() => PutTextAsync(missing, "x", "y"));
        Assert.Equal("ContainerNotFound", noContainer.ErrorCode);
        Assert.Contains(missing, noContainer.Message, StringComparison.Ordinal);
        var list = await Assert.ThrowsAsync<BlobNotFoundException>(() => Blobs.ListPageAsync(missing));
        Assert.Equal("ContainerNotFound", list.ErrorCode);
    }

    [Fact]
    public async Task Create_only_write_fails_with_already_exists_and_keeps_the_first_content()
    {
        var container = await NewContainerAsync();
        await PutTextAsync(container, "step/001.json", "first", BlobConditions.CreateOnly);
        var e = await Assert.ThrowsAsync<BlobAlreadyExistsException>(
            () => PutTextAsync(container, "step/001.json", "second", BlobConditions.CreateOnly));
        Assert.Equal(409, e.Status);
        Assert.Contains("step/001.json", e.Message, StringComparison.Ordinal);
        Assert.Equal("first", await ReadTextAsync(container, "step/001.json"));
    }

    [Fact]
    public async Task Create_only_block_upload_fails_with_already_exists()
    {
        var container = await NewContainerAsync();
        await PutTextAsync(container, "big", "first");
        var options = new BlobPutOptions { Conditions = BlobConditions.CreateOnly, SingleShotLimit = 1024, BlockSize = 1024 };
        await Assert.ThrowsAsync<BlobAlreadyExistsException>(
            () => Blobs.PutAsync(container, "big", new MemoryStream(RandomBytes(5000, 3)), options));
        Assert.Equal("first", await ReadTextAsync(container, "big"));
    }

    [Fact]
    public async Task If_match_write_with_a_stale_etag_fails_and_with_the_current_one_succeeds()
    {
        var container = await NewContainerAsync();
        var v1 = await PutTextAsync(container, "state", "v1");
        var v2 = await PutTextAsync(container, "state", "v2", BlobConditions.IfETagMatches(v1.ETag));
        var e = await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => PutTextAsync(container, "state", "v3", BlobConditions.IfETagMatches(v1.ETag)));
        Assert.Equal(412, e.Status);
        Assert.Equal("v2", await ReadTextAsync(container, "state"));

        // ETags given without their quotes mean the same.
        await PutTextAsync(container, "state", "v3", BlobConditions.IfETagMatches(v2.ETag.Trim('"')));
        Assert.Equal("v3", await ReadTextAsync(container, "state"));

        await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => PutTextAsync(container, "never-written", "x", BlobConditions.IfETagMatches(v1.ETag)));
    }

    [Fact]
    public async Task Conditional_reads_fail_when_the_etag_moved_or_did_not()
    {
        var container = await NewContainerAsync();
        var v1 = await PutTextAsync(container, "doc", "v1");
        await using (var same = await Blobs.GetAsync(container, "doc", conditions: BlobConditions.IfETagMatches(v1.ETag)))
        {
            Assert.Equal(v1.ETag, same.Properties.ETag);
        }

        var notModified = await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => Blobs.GetAsync(container, "doc", conditions: new BlobConditions(IfNoneMatch: v1.ETag)));
        Assert.Equal(304, notModified.Status);

        await PutTextAsync(container, "doc", "v2");
        var moved = await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => Blobs.GetAsync(container, "doc", conditions: BlobConditions.IfETagMatches(v1.ETag)));
        Assert.Equal(412, moved.Status);
    }

    [Fact]
    public async Task Twenty_concurrent_if_match_writers_exactly_one_wins_each_round()
    {
        var container = await NewContainerAsync();
        var clients = Enumerable.Range(0, 20).Select(_ => CreateIndependentBlobClient()).ToArray();
        var current = await PutTextAsync(container, "counter", "round -1");
        for (var round = 0; round < 5; round++)
        {
            var etag = current.ETag;
            using var start = new SemaphoreSlim(0, clients.Length);
            var attempts = clients.Select(async (client, writer) =>
            {
                await start.WaitAsync();
                try
                {
                    var result = await client.PutAsync(
                        container,
                        "counter",
                        new MemoryStream(Encoding.UTF8.GetBytes($"round {round} writer {writer}")),
                        new BlobPutOptions { Conditions = BlobConditions.IfETagMatches(etag) });
                    return (Writer: writer, Result: result);
                }
                catch (BlobConditionFailedException)
                {
                    return (Writer: writer, Result: (BlobWriteResult?)null);
                }
            }).ToArray();
            start.Release(clients.Length);
            var outcomes = await Task.WhenAll(attempts);

            var winners = outcomes.Where(o => o.Result is not null).ToArray();
            Assert.Single(winners);
            Assert.Equal($"round {round} writer {winners[0].Writer}", await ReadTextAsync(container, "counter"));
            current = winners[0].Result!;
        }
    }

    [Fact]
    public async Task Concurrent_read_modify_write_with_if_match_loses_no_increment()
    {
        var container = await NewContainerAsync();
        await PutTextAsync(container, "total", "0");
        const int Writers = 10;
        const int IncrementsEach = 2;
        var clients = Enumerable.Range(0, Writers).Select(_ => CreateIndependentBlobClient()).ToArray();
        await Task.WhenAll(clients.Select(async client =>
        {
            for (var done = 0; done < IncrementsEach;)
            {
                BlobDownload download = await client.GetAsync(container, "total");
                var etag = download.Properties.ETag;
                var value = int.Parse(Encoding.UTF8.GetString(await ReadAllAsync(download)), System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    await client.PutAsync(
                        container,
                        "total",
                        new MemoryStream(Encoding.UTF8.GetBytes((value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))),
                        new BlobPutOptions { Conditions = BlobConditions.IfETagMatches(etag) });
                    done++;
                }
                catch (BlobConditionFailedException)
                {
                    // Someone else wrote first: read again and retry.
                }
            }
        }));

        Assert.Equal((Writers * IncrementsEach).ToString(System.Globalization.CultureInfo.InvariantCulture), await ReadTextAsync(container, "total"));
    }

    [Fact]
    public async Task Ranges_return_the_requested_slice()
    {
        var container = await NewContainerAsync();
        var bytes = RandomBytes(10_000, seed: 2);
        await Blobs.PutAsync(container, "ranged", new MemoryStream(bytes));

        var middle = await Blobs.GetAsync(container, "ranged", new BlobRange(1000, 500));
        Assert.Equal(bytes.Length, middle.Properties.ContentLength); // Properties describe the whole blob.
        Assert.Equal(bytes.AsSpan(1000, 500).ToArray(), await ReadAllAsync(middle));

        Assert.Equal(bytes.AsSpan(9_000).ToArray(), await ReadAllAsync(await Blobs.GetAsync(container, "ranged", new BlobRange(9_000))));
        Assert.Equal(bytes.AsSpan(9_990).ToArray(), await ReadAllAsync(await Blobs.GetAsync(container, "ranged", new BlobRange(9_990, 100))));
        Assert.Equal(bytes.AsSpan(0, 1).ToArray(), await ReadAllAsync(await Blobs.GetAsync(container, "ranged", new BlobRange(0, 1))));

        var atEnd = await Assert.ThrowsAsync<StorageException>(() => Blobs.GetAsync(container, "ranged", new BlobRange(10_000, 10)));
        Assert.Equal(416, atEnd.Status);
        var beyond = await Assert.ThrowsAsync<StorageException>(() => Blobs.GetAsync(container, "ranged", new BlobRange(20_000)));
        Assert.Equal(416, beyond.Status);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Blobs.GetAsync(container, "ranged", new BlobRange(-1, 10)));
    }

    [Fact]
    public async Task A_64_MiB_unseekable_stream_uploads_in_blocks_and_reads_back_identical()
    {
        var container = await NewContainerAsync();
        const long Size = 64L * 1024 * 1024;
        var written = await Blobs.PutAsync(
            container,
            "big/64mib.bin",
            new PseudoRandomStream(Size, seed: 64),
            new BlobPutOptions { BlockSize = 4 * 1024 * 1024, MaxParallelism = 4 });

        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[1 << 20];
        var source = new PseudoRandomStream(Size, seed: 64);
        int read;
        while ((read = source.Read(chunk)) > 0)
        {
            expected.AppendData(chunk, 0, read);
        }

        await using var download = await Blobs.GetAsync(container, "big/64mib.bin");
        Assert.Equal(Size, download.Properties.ContentLength);
        Assert.Equal(written.ETag, download.Properties.ETag);
        using var actual = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        while ((read = await download.Content.ReadAsync(chunk)) > 0)
        {
            actual.AppendData(chunk, 0, read);
            total += read;
        }

        Assert.Equal(Size, total);
        Assert.Equal(Convert.ToHexString(expected.GetHashAndReset()), Convert.ToHexString(actual.GetHashAndReset()));

        var tail = await ReadAllAsync(await Blobs.GetAsync(container, "big/64mib.bin", new BlobRange(Size - 100)));
        Assert.Equal(100, tail.Length);
    }

    [Fact]
    public async Task Seekable_stream_over_the_single_shot_limit_uploads_in_blocks()
    {
        var container = await NewContainerAsync();
        var bytes = RandomBytes(300_000, seed: 5);
        await Blobs.PutAsync(
            container,
            "blocks",
            new MemoryStream(bytes),
            new BlobPutOptions { SingleShotLimit = 100_000, BlockSize = 64 * 1024, ContentType = "image/png", Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        var download = await Blobs.GetAsync(container, "blocks");
        Assert.Equal("image/png", download.Properties.ContentType);
        Assert.Equal("v", download.Properties.Metadata["k"]);
        Assert.Equal(Sha256(bytes), Sha256(await ReadAllAsync(download)));
    }

    [Fact]
    public async Task Metadata_can_be_replaced_and_changes_the_etag()
    {
        var container = await NewContainerAsync();
        var put = await Blobs.PutAsync(
            container,
            "m",
            new MemoryStream([1, 2, 3]),
            new BlobPutOptions { Metadata = new Dictionary<string, string> { ["a"] = "1" } });
        var updated = await Blobs.SetMetadataAsync(container, "m", new Dictionary<string, string> { ["b"] = "2", ["c_3"] = "x y" });
        Assert.NotEqual(put.ETag, updated.ETag);
        var properties = await Blobs.GetPropertiesAsync(container, "m");
        Assert.False(properties.Metadata.ContainsKey("a"));
        Assert.Equal("2", properties.Metadata["b"]);
        Assert.Equal("x y", properties.Metadata["c_3"]);
        Assert.Equal(updated.ETag, properties.ETag);

        await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => Blobs.SetMetadataAsync(container, "m", new Dictionary<string, string>(), BlobConditions.IfETagMatches(put.ETag)));
        await Assert.ThrowsAsync<ArgumentException>(
            () => Blobs.SetMetadataAsync(container, "m", new Dictionary<string, string> { ["not valid"] = "x" }));
        await Assert.ThrowsAsync<ArgumentException>(
            () => Blobs.SetMetadataAsync(container, "m", new Dictionary<string, string> { ["ok"] = "naïve" }));
        await Assert.ThrowsAsync<BlobNotFoundException>(
            () => Blobs.SetMetadataAsync(container, "absent", new Dictionary<string, string>()));
    }

    [Fact]
    public async Task Listing_honours_prefix_delimiter_and_pagination()
    {
        var container = await NewContainerAsync();
        string[] names = ["a/1", "a/2", "a/sub/3", "b/1", "c", "d/x/y", "e"];
        foreach (var name in names)
        {
            await Blobs.PutAsync(
                container,
                name,
                new MemoryStream(Encoding.UTF8.GetBytes(name)),
                new BlobPutOptions { Metadata = new Dictionary<string, string> { ["name"] = name.Replace('/', '_') } });
        }

        // Top level with a delimiter: folders fold into prefixes; pages of 2 count blobs and prefixes alike.
        var blobs = new List<string>();
        var prefixes = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await Blobs.ListPageAsync(container, new BlobListOptions(Delimiter: "/", PageSize: 2), token);
            Assert.True(page.Blobs.Count + page.Prefixes.Count <= 2);
            blobs.AddRange(page.Blobs.Select(b => b.Name));
            prefixes.AddRange(page.Prefixes);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(["c", "e"], blobs);
        Assert.Equal(["a/", "b/", "d/"], prefixes);
        Assert.Equal(3, pages);

        // One folder level down.
        var folder = await Blobs.ListPageAsync(container, new BlobListOptions(Prefix: "a/", Delimiter: "/"));
        Assert.Equal(["a/1", "a/2"], folder.Blobs.Select(b => b.Name));
        Assert.Equal(["a/sub/"], folder.Prefixes);
        Assert.Null(folder.ContinuationToken);

        // Flat, paged, with properties and metadata.
        var all = new List<BlobItem>();
        token = null;
        do
        {
            var page = await Blobs.ListPageAsync(container, new BlobListOptions(PageSize: 3, IncludeMetadata: true), token);
            Assert.Empty(page.Prefixes);
            all.AddRange(page.Blobs);
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(names, all.Select(b => b.Name));
        Assert.All(all, b => Assert.Equal(Encoding.UTF8.GetByteCount(b.Name), b.ContentLength));
        Assert.All(all, b => Assert.Equal(b.Name.Replace('/', '_'), b.Metadata!["name"]));
        foreach (var item in all)
        {
            var properties = await Blobs.GetPropertiesAsync(container, item.Name);
            Assert.Equal(properties.ETag, item.ETag); // Listed ETags are in the same (quoted) form as the properties'.
            Assert.Equal(properties.ContentLength, item.ContentLength);
        }

        var none = await Blobs.ListPageAsync(container, new BlobListOptions(Prefix: "zzz"));
        Assert.Empty(none.Blobs);
        Assert.Null(none.ContinuationToken);
    }

    [Fact]
    public async Task Delete_reports_existence_and_honours_if_match()
    {
        var container = await NewContainerAsync();
        var v1 = await PutTextAsync(container, "gone", "x");
        await PutTextAsync(container, "gone", "y");
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Blobs.DeleteAsync(container, "gone", BlobConditions.IfETagMatches(v1.ETag)));
        Assert.True(await Blobs.DeleteAsync(container, "gone"));
        Assert.False(await Blobs.DeleteAsync(container, "gone"));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Blobs.GetAsync(container, "gone"));
    }

    [Fact]
    public async Task Leases_guard_writes_and_conflict_with_other_holders()
    {
        var container = await NewContainerAsync();
        await PutTextAsync(container, "partition-00", "owner: nobody");
        var leaseId = await Blobs.AcquireLeaseAsync(container, "partition-00", TimeSpan.FromSeconds(15));
        Assert.True(Guid.TryParse(leaseId, out _));
        Assert.Equal(BlobLeaseState.Leased, (await Blobs.GetPropertiesAsync(container, "partition-00")).LeaseState);

        var missing = await Assert.ThrowsAsync<BlobConditionFailedException>(() => PutTextAsync(container, "partition-00", "intruder"));
        Assert.Equal(412, missing.Status);
        Assert.Equal("LeaseIdMissing", missing.ErrorCode);
        var mismatch = await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => PutTextAsync(container, "partition-00", "intruder", new BlobConditions(LeaseId: Guid.NewGuid().ToString())));
        Assert.Equal("LeaseIdMismatchWithBlobOperation", mismatch.ErrorCode);
        await Assert.ThrowsAsync<BlobConditionFailedException>(() => Blobs.DeleteAsync(container, "partition-00"));
        await PutTextAsync(container, "partition-00", "owner: me", new BlobConditions(LeaseId: leaseId));
        Assert.Equal("owner: me", await ReadTextAsync(container, "partition-00"));

        // Writing a leased blob keeps the lease.
        Assert.Equal(BlobLeaseState.Leased, (await Blobs.GetPropertiesAsync(container, "partition-00")).LeaseState);

        var conflict = await Assert.ThrowsAsync<BlobLeaseConflictException>(
            () => Blobs.AcquireLeaseAsync(container, "partition-00", TimeSpan.FromSeconds(15)));
        Assert.Equal(409, conflict.Status);
        await Assert.ThrowsAsync<BlobLeaseConflictException>(
            () => Blobs.RenewLeaseAsync(container, "partition-00", Guid.NewGuid().ToString()));
        await Assert.ThrowsAsync<BlobLeaseConflictException>(
            () => Blobs.ReleaseLeaseAsync(container, "partition-00", Guid.NewGuid().ToString()));

        await Blobs.RenewLeaseAsync(container, "partition-00", leaseId);

        // Acquiring again with our own id renews rather than conflicts.
        Assert.Equal(leaseId, await Blobs.AcquireLeaseAsync(container, "partition-00", TimeSpan.FromSeconds(20), leaseId));

        await Blobs.ReleaseLeaseAsync(container, "partition-00", leaseId);
        Assert.Equal(BlobLeaseState.Available, (await Blobs.GetPropertiesAsync(container, "partition-00")).LeaseState);
        var released = await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => PutTextAsync(container, "partition-00", "stale holder", new BlobConditions(LeaseId: leaseId)));
        Assert.Equal("LeaseNotPresentWithBlobOperation", released.ErrorCode);

        var proposed = Guid.NewGuid().ToString();
        Assert.Equal(proposed, await Blobs.AcquireLeaseAsync(container, "partition-00", Timeout.InfiniteTimeSpan, proposed));
        await Blobs.ReleaseLeaseAsync(container, "partition-00", proposed);

        await Assert.ThrowsAsync<BlobNotFoundException>(() => Blobs.AcquireLeaseAsync(container, "no-such-blob", TimeSpan.FromSeconds(15)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Blobs.AcquireLeaseAsync(container, "partition-00", TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<ArgumentException>(() => Blobs.AcquireLeaseAsync(container, "partition-00", TimeSpan.FromSeconds(15), "not-a-guid"));
    }

    [Fact]
    public async Task Lease_contention_among_many_clients_has_exactly_one_winner()
    {
        var container = await NewContainerAsync();
        await PutTextAsync(container, "leader", string.Empty);
        var clients = Enumerable.Range(0, 12).Select(_ => CreateIndependentBlobClient()).ToArray();
        var outcomes = await Task.WhenAll(clients.Select(async client =>
        {
            try
            {
                return await client.AcquireLeaseAsync(container, "leader", TimeSpan.FromSeconds(30));
            }
            catch (BlobLeaseConflictException)
            {
                return null;
            }
        }));

        var winner = Assert.Single(outcomes, o => o is not null);
        await Blobs.ReleaseLeaseAsync(container, "leader", winner!);
    }

    [Fact]
    public async Task A_broken_lease_frees_the_blob_after_the_break_period()
    {
        var container = await NewContainerAsync();
        await PutTextAsync(container, "stuck", "x");
        var holder = await Blobs.AcquireLeaseAsync(container, "stuck", Timeout.InfiniteTimeSpan);

        var remaining = await Blobs.BreakLeaseAsync(container, "stuck", TimeSpan.FromSeconds(1));
        Assert.InRange(remaining, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(BlobLeaseState.Breaking, (await Blobs.GetPropertiesAsync(container, "stuck")).LeaseState);
        await Assert.ThrowsAsync<BlobLeaseConflictException>(() => Blobs.AcquireLeaseAsync(container, "stuck", TimeSpan.FromSeconds(15)));
        await Assert.ThrowsAsync<BlobLeaseConflictException>(() => Blobs.RenewLeaseAsync(container, "stuck", holder));

        await WaitAsync(TimeSpan.FromSeconds(1.5));
        Assert.Equal(BlobLeaseState.Broken, (await Blobs.GetPropertiesAsync(container, "stuck")).LeaseState);
        await PutTextAsync(container, "stuck", "free again"); // A broken lease no longer guards writes.
        var next = await Blobs.AcquireLeaseAsync(container, "stuck", TimeSpan.FromSeconds(15));
        Assert.NotEqual(holder, next);

        // Breaking at once.
        Assert.Equal(TimeSpan.Zero, await Blobs.BreakLeaseAsync(container, "stuck", TimeSpan.Zero));
        Assert.Equal(BlobLeaseState.Broken, (await Blobs.GetPropertiesAsync(container, "stuck")).LeaseState);
        await Assert.ThrowsAsync<BlobLeaseConflictException>(() => Blobs.RenewLeaseAsync(container, "stuck", next));

        await PutTextAsync(container, "never-leased", "x");
        await Assert.ThrowsAsync<BlobLeaseConflictException>(() => Blobs.BreakLeaseAsync(container, "never-leased"));
    }

    [Fact]
    public async Task Append_blobs_grow_with_append_position_checks()
    {
        var container = await NewContainerAsync();
        var created = await Blobs.CreateAppendBlobAsync(container, "history/log", new BlobPutOptions { ContentType = "application/x-ndjson" });
        var properties = await Blobs.GetPropertiesAsync(container, "history/log");
        Assert.Equal(BlobKind.Append, properties.Kind);
        Assert.Equal(0, properties.ContentLength);
        Assert.Equal(created.ETag, properties.ETag);

        var first = await Blobs.AppendBlockAsync(container, "history/log", "line one\n"u8.ToArray(), expectedAppendPosition: 0);
        Assert.Equal(0, first.AppendOffset);
        Assert.Equal(1, first.CommittedBlockCount);
        var second = await Blobs.AppendBlockAsync(container, "history/log", "line two\n"u8.ToArray(), expectedAppendPosition: 9);
        Assert.Equal(9, second.AppendOffset);
        Assert.Equal(2, second.CommittedBlockCount);
        Assert.NotEqual(first.ETag, second.ETag);

        // A writer that lost the race (it thinks the log is still 9 bytes) is refused, so nothing is written twice.
        var stale = await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => Blobs.AppendBlockAsync(container, "history/log", "line two again\n"u8.ToArray(), expectedAppendPosition: 9));
        Assert.Equal(412, stale.Status);
        await Assert.ThrowsAsync<BlobConditionFailedException>(
            () => Blobs.AppendBlockAsync(container, "history/log", "x"u8.ToArray(), conditions: BlobConditions.IfETagMatches(first.ETag)));

        await Blobs.AppendBlockAsync(container, "history/log", "line three\n"u8.ToArray());
        Assert.Equal("line one\nline two\nline three\n", await ReadTextAsync(container, "history/log"));
        var download = await Blobs.GetAsync(container, "history/log");
        Assert.Equal(BlobKind.Append, download.Properties.Kind);
        Assert.Equal("application/x-ndjson", download.Properties.ContentType);
        await download.DisposeAsync();
        Assert.Equal("line two\n", Encoding.UTF8.GetString(await ReadAllAsync(await Blobs.GetAsync(container, "history/log", new BlobRange(9, 9)))));

        await Assert.ThrowsAsync<BlobAlreadyExistsException>(
            () => Blobs.CreateAppendBlobAsync(container, "history/log", new BlobPutOptions { Conditions = BlobConditions.CreateOnly }));
        await PutTextAsync(container, "block", "x");
        var wrongKind = await Assert.ThrowsAsync<StorageException>(() => Blobs.AppendBlockAsync(container, "block", "y"u8.ToArray()));
        Assert.Equal(409, wrongKind.Status);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Blobs.AppendBlockAsync(container, "absent", "y"u8.ToArray()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Blobs.AppendBlockAsync(container, "history/log", ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public async Task Concurrent_appends_with_positions_never_interleave_or_duplicate()
    {
        var container = await NewContainerAsync();
        await Blobs.CreateAppendBlobAsync(container, "log");
        var clients = Enumerable.Range(0, 8).Select(_ => CreateIndependentBlobClient()).ToArray();
        await Task.WhenAll(clients.Select(async (client, writer) =>
        {
            for (var i = 0; i < 4;)
            {
                var length = (await client.GetPropertiesAsync(container, "log")).ContentLength;
                try
                {
                    await client.AppendBlockAsync(container, "log", Encoding.UTF8.GetBytes($"w{writer}-{i};"), expectedAppendPosition: length);
                    i++;
                }
                catch (BlobConditionFailedException)
                {
                }
            }
        }));

        var entries = (await ReadTextAsync(container, "log")).Split(';', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(32, entries.Length);
        Assert.Equal(32, entries.Distinct().Count());
    }
}
