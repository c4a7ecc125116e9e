using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MiniGpt5.Storage.Local;

/// <summary>
/// Blob storage on the local file system: the embedded default, with the same semantics as Azure Blob Storage
/// (ETags, create-only writes, If-Match, leases, append blobs, prefix/delimiter listing). State lives only on
/// disk, so it survives restarts, and several processes may share one root folder.
/// <code>
/// root/blobs/{container}/meta/b.{escaped name}   one JSON record per blob (LocalBlobRecord), replaced atomically
/// root/blobs/{container}/data/{random}           the bytes; immutable for block blobs
/// root/blobs/{container}/locks/{00..63}.lock     striped cross-process write locks
/// root/blobs/{container}/tmp/                    staging for atomic record replacement
/// </code>
/// Writers stage the bytes outside any lock, then under the blob's lock check the preconditions against the
/// current record and rename the new record into place. Readers take no lock: they read the record and open
/// the data file it names (retrying if a writer replaced it in between).
/// </summary>
public sealed class LocalBlobStore : IBlobStore
{
    private const int LockStripes = 64;
    private const int DefaultPageSize = 5000;
    private const string TokenPrefix = "local1:";

    private readonly string _blobsRoot;
    private readonly LocalStorageOptions _options;
    private readonly TimeProvider _clock;
    private readonly FileLockTable _locks;

    /// <summary>Opens (creating if needed) a store under <paramref name="rootPath"/>; blobs go in its <c>blobs</c> folder.</summary>
    public LocalBlobStore(string rootPath, LocalStorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootPath);
        RootPath = Path.GetFullPath(rootPath);
        _options = options ?? new LocalStorageOptions();
        _clock = _options.TimeProvider;
        _locks = new FileLockTable(_options.LockTimeout);
        _blobsRoot = Path.Combine(RootPath, "blobs");
        Directory.CreateDirectory(_blobsRoot);
        FileLockTable.VerifyLockingWorks(_blobsRoot);
        SweepTrash(_blobsRoot);
    }

    /// <summary>The root folder this store lives in.</summary>
    public string RootPath { get; }

    /// <inheritdoc />
    public Task<bool> CreateContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        cancellationToken.ThrowIfCancellationRequested();
        var target = Path.Combine(_blobsRoot, container);
        if (Directory.Exists(target))
        {
            return Task.FromResult(false);
        }

        // Build the folder aside and rename it into place: another process racing us either sees nothing or a
        // complete container, and exactly one rename wins.
        var staging = Path.Combine(_blobsRoot, ".new-" + Guid.NewGuid().ToString("N"));
        foreach (var sub in new[] { "meta", "data", "locks", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(staging, sub));
        }

        try
        {
            Directory.Move(staging, target);
            return Task.FromResult(true);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            Directory.Delete(staging, recursive: true);
            return Task.FromResult(false);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        cancellationToken.ThrowIfCancellationRequested();
        var target = Path.Combine(_blobsRoot, container);
        var trash = Path.Combine(_blobsRoot, ".trash-" + Guid.NewGuid().ToString("N"));
        try
        {
            // One atomic rename makes the container vanish for everyone at once; the files go after.
            Directory.Move(target, trash);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }

        LocalFiles.TryDeleteDirectory(trash);
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public async Task<BlobWriteResult> PutAsync(
        string container,
        string name,
        Stream content,
        BlobPutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var dir = ValidateAndLocate(container, name);
        StorageNames.ValidateMetadata(options?.Metadata);
        StorageNames.ValidateConditions(options?.Conditions);

        var dataFile = NewDataFileName();
        var dataPath = Path.Combine(dir, "data", dataFile);
        var committed = false;
        try
        {
            long length;
            try
            {
                await using var file = new FileStream(dataPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await content.CopyToAsync(file, 1 << 20, cancellationToken).ConfigureAwait(false);
                await FlushAsync(file, cancellationToken).ConfigureAwait(false);
                length = file.Length;
            }
            catch (DirectoryNotFoundException)
            {
                throw ContainerNotFound(container);
            }

            var result = await CommitNewContentAsync(
                container, name, dir, BlobKind.Block, length, dataFile, options, cancellationToken).ConfigureAwait(false);
            committed = true;
            return result;
        }
        finally
        {
            if (!committed)
            {
                LocalFiles.TryDeleteFile(dataPath);
            }
        }
    }

    /// <inheritdoc />
    public async Task<BlobDownload> GetAsync(
        string container,
        string name,
        BlobRange? range = null,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default)
    {
        var dir = ValidateAndLocate(container, name);
        StorageNames.ValidateRange(range);
        StorageNames.ValidateConditions(conditions);

        // A writer may replace the record and delete the old data file between our two reads; then read again.
        for (var attempt = 0; ; attempt++)
        {
            var record = await ReadRecordAsync(container, dir, name, cancellationToken).ConfigureAwait(false)
                ?? throw BlobNotFound(container, name);
            var now = _clock.GetUtcNow();
            var where = Where(container, name);
            LocalLease.CheckRead(record.Lease, conditions?.LeaseId, now, where);
            CheckReadConditions(record, conditions, where);

            var (offset, length) = ResolveRange(record.Length, range, where);
            FileStream file;
            try
            {
                file = new FileStream(
                    Path.Combine(dir, "data", record.DataFile),
                    FileMode.Open,
                    FileAccess.Read,
                    FileShare.ReadWrite | FileShare.Delete,
                    1 << 16,
                    useAsync: true);
            }
            catch (FileNotFoundException e)
            {
                if (attempt < 8)
                {
                    continue;
                }

                throw new StorageException(
                    $"{where}: its record names data file '{record.DataFile}', which is missing from the local store at '{RootPath}' (was the folder edited by hand?).",
                    e)
                {
                    Status = 500,
                    ErrorCode = "CorruptRecord",
                };
            }
            catch (DirectoryNotFoundException)
            {
                throw ContainerNotFound(container);
            }

            return new BlobDownload(ToProperties(container, record, now), new BoundedReadStream(file, offset, length), range);
        }
    }

    /// <inheritdoc />
    public async Task<BlobProperties> GetPropertiesAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        var dir = ValidateAndLocate(container, name);
        var record = await ReadRecordAsync(container, dir, name, cancellationToken).ConfigureAwait(false)
            ?? throw BlobNotFound(container, name);
        return ToProperties(container, record, _clock.GetUtcNow());
    }

    /// <inheritdoc />
    public async Task<BlobWriteResult> SetMetadataAsync(
        string container,
        string name,
        IReadOnlyDictionary<string, string> metadata,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var dir = ValidateAndLocate(container, name);
        StorageNames.ValidateMetadata(metadata);
        StorageNames.ValidateConditions(conditions);

        using var held = await LockBlobAsync(container, dir, name, cancellationToken).ConfigureAwait(false);
        var record = await ReadRecordAsync(container, dir, name, cancellationToken).ConfigureAwait(false)
            ?? throw BlobNotFound(container, name);
        var now = _clock.GetUtcNow();
        CheckWriteConditions(record, conditions, now, Where(container, name), createOnly: false);
        var updated = record with
        {
            Metadata = new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase),
            ETag = NewETag(),
            LastModified = now,
        };
        await WriteRecordAsync(container, dir, updated, cancellationToken).ConfigureAwait(false);
        return new BlobWriteResult(updated.ETag, updated.LastModified);
    }

    /// <inheritdoc />
    public async Task<BlobPage> ListPageAsync(
        string container,
        BlobListOptions? options = null,
        string? continuationToken = null,
        CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateContainer(container);
        var pageSize = options?.PageSize ?? DefaultPageSize;
        if (pageSize is < 1 or > DefaultPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), pageSize, "PageSize is 1 to 5000.");
        }

        var prefix = options?.Prefix ?? string.Empty;
        var delimiter = string.IsNullOrEmpty(options?.Delimiter) ? null : options.Delimiter;
        var startAt = DecodeToken(continuationToken);
        var dir = Path.Combine(_blobsRoot, container);
        var metaDir = Path.Combine(dir, "meta");

        var names = new List<string>();
        try
        {
            foreach (var path in Directory.EnumerateFiles(metaDir))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fileName = Path.GetFileName(path);
                var name = LocalNameCodec.TryDecode(fileName);
                if (name is null && LocalNameCodec.IsHashed(fileName))
                {
                    name = (await ReadRecordFileAsync(path, cancellationToken).ConfigureAwait(false))?.Name;
                }

                if (name is not null && name.StartsWith(prefix, StringComparison.Ordinal) &&
                    (startAt is null || string.CompareOrdinal(name, startAt) >= 0))
                {
                    names.Add(name);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            throw ContainerNotFound(container);
        }

        names.Sort(StringComparer.Ordinal);

        var blobs = new List<BlobItem>();
        var prefixes = new List<string>();
        string? lastPrefix = null;
        string? next = null;
        var count = 0;
        foreach (var name in names)
        {
            if (lastPrefix is not null && name.StartsWith(lastPrefix, StringComparison.Ordinal))
            {
                continue; // Folded into the prefix already listed (names sharing a prefix sort together).
            }

            if (count == pageSize)
            {
                next = name;
                break;
            }

            var cut = delimiter is null ? -1 : name.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            if (cut >= 0)
            {
                lastPrefix = name[..(cut + delimiter!.Length)];
                prefixes.Add(lastPrefix);
                count++;
                continue;
            }

            var record = await ReadRecordAsync(container, dir, name, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                continue; // Deleted while we listed.
            }

            blobs.Add(new BlobItem(
                record.Name,
                record.Length,
                record.ETag,
                record.LastModified,
                record.ContentType,
                options?.IncludeMetadata == true ? CopyMetadata(record) : null));
            count++;
        }

        return new BlobPage(blobs, prefixes, next is null ? null : EncodeToken(next));
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(
        string container,
        string name,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default)
    {
        var dir = ValidateAndLocate(container, name);
        StorageNames.ValidateConditions(conditions);
        string dataFile;
        using (await LockBlobAsync(container, dir, name, cancellationToken).ConfigureAwait(false))
        {
            var record = await ReadRecordAsync(container, dir, name, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return false;
            }

            CheckWriteConditions(record, conditions, _clock.GetUtcNow(), Where(container, name), createOnly: false);
            File.Delete(RecordPath(dir, name));
            dataFile = record.DataFile;
        }

        LocalFiles.TryDeleteFile(Path.Combine(dir, "data", dataFile));
        return true;
    }

    /// <inheritdoc />
    public async Task<string> AcquireLeaseAsync(
        string container,
        string name,
        TimeSpan duration,
        string? proposedLeaseId = null,
        CancellationToken cancellationToken = default)
    {
        var seconds = StorageNames.ValidateLeaseDuration(duration);
        StorageNames.ValidateLeaseId(proposedLeaseId, nameof(proposedLeaseId));
        var lease = await UpdateLeaseAsync(
            container,
            name,
            (record, now, where) => LocalLease.Acquire(record.Lease, seconds, proposedLeaseId, now, where),
            cancellationToken).ConfigureAwait(false);
        return lease.Id;
    }

    /// <inheritdoc />
    public Task RenewLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        return UpdateLeaseAsync(
            container,
            name,
            (record, now, where) => LocalLease.Renew(record.Lease, leaseId, now, where),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task ReleaseLeaseAsync(string container, string name, string leaseId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        return UpdateLeaseAsync(
            container,
            name,
            (record, _, where) =>
            {
                LocalLease.CheckRelease(record.Lease, leaseId, where);
                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<TimeSpan> BreakLeaseAsync(
        string container,
        string name,
        TimeSpan? breakPeriod = null,
        CancellationToken cancellationToken = default)
    {
        var seconds = StorageNames.ValidateBreakPeriod(breakPeriod);
        var remaining = TimeSpan.Zero;
        await UpdateLeaseAsync(
            container,
            name,
            (record, now, where) =>
            {
                var (lease, left) = LocalLease.Break(record.Lease, seconds, now, where);
                remaining = left;
                return lease;
            },
            cancellationToken).ConfigureAwait(false);
        return remaining;
    }

    /// <inheritdoc />
    public async Task<BlobWriteResult> CreateAppendBlobAsync(
        string container,
        string name,
        BlobPutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var dir = ValidateAndLocate(container, name);
        StorageNames.ValidateMetadata(options?.Metadata);
        StorageNames.ValidateConditions(options?.Conditions);
        var dataFile = NewDataFileName();
        var dataPath = Path.Combine(dir, "data", dataFile);
        var committed = false;
        try
        {
            try
            {
                await File.WriteAllBytesAsync(dataPath, [], cancellationToken).ConfigureAwait(false);
            }
            catch (DirectoryNotFoundException)
            {
                throw ContainerNotFound(container);
            }

            var result = await CommitNewContentAsync(
                container, name, dir, BlobKind.Append, 0, dataFile, options, cancellationToken).ConfigureAwait(false);
            committed = true;
            return result;
        }
        finally
        {
            if (!committed)
            {
                LocalFiles.TryDeleteFile(dataPath);
            }
        }
    }

    /// <inheritdoc />
    public async Task<BlobAppendResult> AppendBlockAsync(
        string container,
        string name,
        ReadOnlyMemory<byte> block,
        long? expectedAppendPosition = null,
        BlobConditions? conditions = null,
        CancellationToken cancellationToken = default)
    {
        var dir = ValidateAndLocate(container, name);
        StorageNames.ValidateConditions(conditions);
        if (block.Length is 0 or > StorageNames.MaxAppendBlockBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(block),
                block.Length,
                $"An appended block is 1 byte to {StorageNames.MaxAppendBlockBytes} bytes (blob '{name}' in container '{container}').");
        }

        using var held = await LockBlobAsync(container, dir, name, cancellationToken).ConfigureAwait(false);
        var record = await ReadRecordAsync(container, dir, name, cancellationToken).ConfigureAwait(false)
            ?? throw BlobNotFound(container, name);
        var where = Where(container, name);
        var now = _clock.GetUtcNow();
        if (record.Kind != BlobKind.Append)
        {
            throw new StorageException($"{where} is a block blob; only append blobs take appended blocks.")
            {
                Status = 409,
                ErrorCode = "InvalidBlobType",
            };
        }

        CheckWriteConditions(record, conditions, now, where, createOnly: false);
        if (expectedAppendPosition is { } expected && expected != record.Length)
        {
            throw new BlobConditionFailedException(
                $"{where} is {record.Length} bytes long, not {expected}: the append position condition failed (someone else appended first).")
            {
                Status = 412,
                ErrorCode = "AppendPositionConditionNotMet",
            };
        }

        if (record.CommittedBlockCount >= StorageNames.MaxAppendBlocks)
        {
            throw new StorageException($"{where} already holds {StorageNames.MaxAppendBlocks} blocks, the most an append blob can.")
            {
                Status = 409,
                ErrorCode = "BlockCountExceedsLimit",
            };
        }

        await using (var file = new FileStream(
            Path.Combine(dir, "data", record.DataFile),
            FileMode.Open,
            FileAccess.Write,
            FileShare.ReadWrite | FileShare.Delete,
            1,
            useAsync: true))
        {
            // Bytes past the recorded length are the remains of an append that crashed before its record was
            // written; they were never acknowledged, so drop them.
            if (file.Length != record.Length)
            {
                file.SetLength(record.Length);
            }

            file.Seek(record.Length, SeekOrigin.Begin);
            await file.WriteAsync(block, cancellationToken).ConfigureAwait(false);
            await FlushAsync(file, cancellationToken).ConfigureAwait(false);
        }

        var updated = record with
        {
            Length = record.Length + block.Length,
            CommittedBlockCount = record.CommittedBlockCount + 1,
            ETag = NewETag(),
            LastModified = now,
        };
        await WriteRecordAsync(container, dir, updated, cancellationToken).ConfigureAwait(false);
        return new BlobAppendResult(updated.ETag, record.Length, updated.CommittedBlockCount);
    }

    private async Task<BlobWriteResult> CommitNewContentAsync(
        string container,
        string name,
        string dir,
        BlobKind kind,
        long length,
        string dataFile,
        BlobPutOptions? options,
        CancellationToken cancellationToken)
    {
        string? oldData;
        LocalBlobRecord record;
        using (await LockBlobAsync(container, dir, name, cancellationToken).ConfigureAwait(false))
        {
            var current = await ReadRecordAsync(container, dir, name, cancellationToken).ConfigureAwait(false);
            var now = _clock.GetUtcNow();
            CheckWriteConditions(current, options?.Conditions, now, Where(container, name), createOnly: true);
            record = new LocalBlobRecord
            {
                Name = name,
                Kind = kind,
                Length = length,
                ETag = NewETag(),
                LastModified = now,
                ContentType = options?.ContentType ?? "application/octet-stream", // The service's default.
                Metadata = options?.Metadata is { } metadata
                    ? new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase)
                    : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
                DataFile = dataFile,
                Lease = current?.Lease, // Overwriting a leased blob keeps its lease, as in Azure.
            };
            await WriteRecordAsync(container, dir, record, cancellationToken).ConfigureAwait(false);
            oldData = current?.DataFile;
        }

        if (oldData is not null)
        {
            LocalFiles.TryDeleteFile(Path.Combine(dir, "data", oldData));
        }

        return new BlobWriteResult(record.ETag, record.LastModified);
    }

    private async Task<LocalLeaseRecord> UpdateLeaseAsync(
        string container,
        string name,
        Func<LocalBlobRecord, DateTimeOffset, string, LocalLeaseRecord?> change,
        CancellationToken cancellationToken)
    {
        var dir = ValidateAndLocate(container, name);
        using var held = await LockBlobAsync(container, dir, name, cancellationToken).ConfigureAwait(false);
        var record = await ReadRecordAsync(container, dir, name, cancellationToken).ConfigureAwait(false)
            ?? throw BlobNotFound(container, name);
        var lease = change(record, _clock.GetUtcNow(), Where(container, name));

        // A lease change leaves the ETag and Last-Modified alone, as in Azure: it does not change the blob.
        await WriteRecordAsync(container, dir, record with { Lease = lease }, cancellationToken).ConfigureAwait(false);
        return lease ?? new LocalLeaseRecord { Id = string.Empty, State = BlobLeaseState.Available };
    }

    private static void CheckWriteConditions(LocalBlobRecord? current, BlobConditions? conditions, DateTimeOffset now, string where, bool createOnly)
    {
        if (conditions?.IfNoneMatch is { } ifNoneMatch && current is not null)
        {
            if (ifNoneMatch == "*")
            {
                throw createOnly
                    ? new BlobAlreadyExistsException($"{where} already exists (create-only write).") { Status = 409, ErrorCode = "BlobAlreadyExists" }
                    : new BlobConditionFailedException($"{where} exists, and the condition asked for it not to.") { Status = 412, ErrorCode = "ConditionNotMet" };
            }

            if (ETagText.Matches(current.ETag, ifNoneMatch))
            {
                throw new BlobConditionFailedException($"{where} still has ETag {ifNoneMatch} (If-None-Match).") { Status = 412, ErrorCode = "ConditionNotMet" };
            }
        }

        if (conditions?.IfMatch is { } ifMatch && (current is null || !ETagText.Matches(current.ETag, ifMatch)))
        {
            throw new BlobConditionFailedException(
                current is null
                    ? $"{where} does not exist, so it cannot match ETag {ifMatch}."
                    : $"{where} has changed: its ETag is no longer {ifMatch} (someone else wrote it first).")
            {
                Status = 412,
                ErrorCode = "ConditionNotMet",
            };
        }

        if (current is not null)
        {
            LocalLease.CheckWrite(current.Lease, conditions?.LeaseId, now, where);
        }
        else if (!string.IsNullOrEmpty(conditions?.LeaseId))
        {
            throw new BlobConditionFailedException($"{where} does not exist, so it holds no lease {conditions.LeaseId}.")
            {
                Status = 412,
                ErrorCode = "LeaseNotPresentWithBlobOperation",
            };
        }
    }

    private static void CheckReadConditions(LocalBlobRecord record, BlobConditions? conditions, string where)
    {
        if (conditions?.IfMatch is { } ifMatch && !ETagText.Matches(record.ETag, ifMatch))
        {
            throw new BlobConditionFailedException($"{where} has changed: its ETag is no longer {ifMatch}.") { Status = 412, ErrorCode = "ConditionNotMet" };
        }

        if (conditions?.IfNoneMatch is { } ifNoneMatch && ETagText.Matches(record.ETag, ifNoneMatch))
        {
            throw new BlobConditionFailedException($"{where} is not modified: it still has ETag {record.ETag}.") { Status = 304, ErrorCode = "ConditionNotMet" };
        }
    }

    private static (long Offset, long Length) ResolveRange(long blobLength, BlobRange? range, string where)
    {
        if (range is not { } r)
        {
            return (0, blobLength);
        }

        if (r.Offset >= blobLength)
        {
            throw new StorageException($"Range starting at {r.Offset} is outside {where}, which is {blobLength} bytes long.")
            {
                Status = 416,
                ErrorCode = "InvalidRange",
            };
        }

        var length = r.Length is { } l ? Math.Min(l, blobLength - r.Offset) : blobLength - r.Offset;
        return (r.Offset, length);
    }

    private static BlobProperties ToProperties(string container, LocalBlobRecord record, DateTimeOffset now) => new(
        container,
        record.Name,
        record.Length,
        record.ETag,
        record.LastModified,
        record.ContentType,
        record.Kind,
        LocalLease.EffectiveState(record.Lease, now),
        CopyMetadata(record));

    private static Dictionary<string, string> CopyMetadata(LocalBlobRecord record) =>
        new(record.Metadata, StringComparer.OrdinalIgnoreCase);

    private string ValidateAndLocate(string container, string name)
    {
        StorageNames.ValidateContainer(container);
        StorageNames.ValidateBlob(container, name);
        return Path.Combine(_blobsRoot, container);
    }

    private static string RecordPath(string dir, string name) => Path.Combine(dir, "meta", LocalNameCodec.Encode(name));

    private async Task<LocalBlobRecord?> ReadRecordAsync(string container, string dir, string name, CancellationToken cancellationToken)
    {
        LocalBlobRecord? record;
        try
        {
            record = await ReadRecordFileAsync(RecordPath(dir, name), cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException)
        {
            throw ContainerNotFound(container);
        }

        if (record is null && !Directory.Exists(dir))
        {
            throw ContainerNotFound(container);
        }

        return record;
    }

    private static async Task<LocalBlobRecord?> ReadRecordFileAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            // Share Delete so a writer can rename a new record over this one while we read (Windows).
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: false);
            bytes = new byte[file.Length];
            await file.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, LocalJsonContext.Default.LocalBlobRecord);
        }
        catch (JsonException e)
        {
            throw new StorageException($"The local blob record '{path}' is corrupt: {e.Message}", e) { Status = 500, ErrorCode = "CorruptRecord" };
        }
    }

    private async Task WriteRecordAsync(string container, string dir, LocalBlobRecord record, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, LocalJsonContext.Default.LocalBlobRecord);
        var temp = Path.Combine(dir, "tmp", Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: false))
            {
                await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                await FlushAsync(file, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, RecordPath(dir, record.Name), overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            throw ContainerNotFound(container);
        }
        finally
        {
            LocalFiles.TryDeleteFile(temp);
        }
    }

    private async Task FlushAsync(FileStream file, CancellationToken cancellationToken)
    {
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_options.FlushToDisk)
        {
            file.Flush(flushToDisk: true);
        }
    }

    private async ValueTask<IDisposable> LockBlobAsync(string container, string dir, string name, CancellationToken cancellationToken)
    {
        // FNV-1a over the UTF-8 name: stable across processes (string.GetHashCode is randomised per process).
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 16777619u;
        }

        try
        {
            return await _locks.AcquireAsync(Path.Combine(dir, "locks", $"{hash % LockStripes:D2}.lock"), cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException)
        {
            throw ContainerNotFound(container);
        }
    }

    private static string NewDataFileName() => Guid.NewGuid().ToString("N");

    private static string NewETag()
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        return $"\"0x{BinaryPrimitives.ReadUInt64BigEndian(random):X16}\"";
    }

    private static string EncodeToken(string nextName) =>
        TokenPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(nextName)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? DecodeToken(string? token)
    {
        if (token is null)
        {
            return null;
        }

        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException("The continuation token was not issued by the local blob store.", nameof(token));
        }

        var body = token[TokenPrefix.Length..].Replace('-', '+').Replace('_', '/');
        body = body.PadRight(body.Length + ((4 - (body.Length % 4)) % 4), '=');
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(body));
        }
        catch (FormatException e)
        {
            throw new ArgumentException("The continuation token is damaged.", nameof(token), e);
        }
    }

    private static string Where(string container, string name) => $"Blob '{name}' in container '{container}'";

    private BlobNotFoundException BlobNotFound(string container, string name) =>
        new($"Blob '{name}' does not exist in container '{container}' (local store at '{RootPath}').")
        {
            Status = 404,
            ErrorCode = "BlobNotFound",
        };

    private BlobNotFoundException ContainerNotFound(string container) =>
        new($"Container '{container}' does not exist in the local store at '{RootPath}'. Create it first.")
        {
            Status = 404,
            ErrorCode = "ContainerNotFound",
        };

    private static void SweepTrash(string root)
    {
        foreach (var dir in Directory.EnumerateDirectories(root, ".trash-*"))
        {
            LocalFiles.TryDeleteDirectory(dir);
        }
    }
}
