using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace MiniGpt5.Storage.Local;

/// <summary>
/// Queues on the local file system with Azure Queue semantics: at-least-once delivery, visibility timeouts,
/// pop receipts that change on every receive and update, dequeue counts, TTL, peek and an approximate count.
/// State lives only on disk; several processes may share the folder.
/// <code>
/// root/queues/{queue}/queue.lock     cross-process lock for receive/update/delete/peek
/// root/queues/{queue}/m/{visibleTicks}.{insertedTicks}.{id}.{version}.msg
/// root/queues/{queue}/tmp/           staging for atomic writes
/// </code>
/// Each message is one JSON file whose name starts with the instant it becomes visible, so a receive lists the
/// folder, sorts the names and reads only the messages it hands out; no index file has to be rewritten. A change
/// writes the new version under a new name, then deletes the old one; should a crash leave both, the higher
/// version wins the next time the queue is read.
/// </summary>
public sealed class LocalQueueStore : IQueueStore
{
    private readonly string _queuesRoot;
    private readonly LocalStorageOptions _options;
    private readonly TimeProvider _clock;
    private readonly FileLockTable _locks;

    /// <summary>Opens (creating if needed) a store under <paramref name="rootPath"/>; queues go in its <c>queues</c> folder.</summary>
    public LocalQueueStore(string rootPath, LocalStorageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootPath);
        RootPath = Path.GetFullPath(rootPath);
        _options = options ?? new LocalStorageOptions();
        _clock = _options.TimeProvider;
        _locks = new FileLockTable(_options.LockTimeout);
        _queuesRoot = Path.Combine(RootPath, "queues");
        Directory.CreateDirectory(_queuesRoot);
        FileLockTable.VerifyLockingWorks(_queuesRoot);
        foreach (var trash in Directory.EnumerateDirectories(_queuesRoot, ".trash-*"))
        {
            LocalFiles.TryDeleteDirectory(trash);
        }
    }

    /// <summary>The root folder this store lives in.</summary>
    public string RootPath { get; }

    /// <inheritdoc />
    public Task<bool> CreateQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        cancellationToken.ThrowIfCancellationRequested();
        var target = Path.Combine(_queuesRoot, queue);
        if (Directory.Exists(target))
        {
            return Task.FromResult(false);
        }

        var staging = Path.Combine(_queuesRoot, ".new-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(staging, "m"));
        Directory.CreateDirectory(Path.Combine(staging, "tmp"));
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
    public Task<bool> DeleteQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        cancellationToken.ThrowIfCancellationRequested();
        var trash = Path.Combine(_queuesRoot, ".trash-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.Move(Path.Combine(_queuesRoot, queue), trash);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }

        LocalFiles.TryDeleteDirectory(trash);
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public async Task<QueueMessageReceipt> SendAsync(
        string queue,
        string text,
        TimeSpan? visibilityDelay = null,
        TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        StorageNames.ValidateMessageText(queue, text, nameof(text));
        var delay = StorageNames.ValidateUpdateVisibility(visibilityDelay ?? TimeSpan.Zero, nameof(visibilityDelay));
        var ttl = StorageNames.ValidateTimeToLive(timeToLive, delay);
        var dir = Path.Combine(_queuesRoot, queue);
        var now = _clock.GetUtcNow();
        var record = new LocalQueueMessageRecord
        {
            Id = Guid.NewGuid().ToString(),
            Text = text,
            InsertedOn = now,
            ExpiresOn = ttl < 0 ? DateTimeOffset.MaxValue : now.AddSeconds(ttl),
            NextVisibleOn = now.AddSeconds(delay),
            DequeueCount = 0,
            PopReceipt = NewPopReceipt(),
            Version = 0,
        };

        // A new file under a fresh name races with nothing, so sending needs no lock.
        await WriteMessageAsync(queue, dir, record, cancellationToken).ConfigureAwait(false);
        return new QueueMessageReceipt(record.Id, record.PopReceipt, record.NextVisibleOn);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(
        string queue,
        int maxMessages,
        TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        StorageNames.ValidateMessageCount(maxMessages);
        var seconds = StorageNames.ValidateReceiveVisibility(visibilityTimeout);
        var dir = Path.Combine(_queuesRoot, queue);

        using var held = await LockQueueAsync(queue, dir, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        var received = new List<QueueMessage>(maxMessages);
        foreach (var entry in VisibleEntries(queue, dir, now))
        {
            if (received.Count == maxMessages)
            {
                break;
            }

            var record = await ReadMessageAsync(entry.Path, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                continue;
            }

            if (record.ExpiresOn <= now)
            {
                LocalFiles.TryDeleteFile(entry.Path);
                continue;
            }

            var updated = record with
            {
                DequeueCount = record.DequeueCount + 1,
                PopReceipt = NewPopReceipt(),
                NextVisibleOn = now.AddSeconds(seconds),
                Version = record.Version + 1,
            };
            await ReplaceMessageAsync(queue, dir, entry.Path, updated, cancellationToken).ConfigureAwait(false);
            received.Add(new QueueMessage(
                updated.Id,
                updated.PopReceipt,
                updated.Text,
                updated.DequeueCount,
                updated.InsertedOn,
                updated.ExpiresOn,
                updated.NextVisibleOn));
        }

        return received;
    }

    /// <inheritdoc />
    public async Task<QueueMessageReceipt> UpdateAsync(
        string queue,
        string messageId,
        string popReceipt,
        TimeSpan visibilityTimeout,
        string? newText = null,
        CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        var seconds = StorageNames.ValidateUpdateVisibility(visibilityTimeout, nameof(visibilityTimeout));
        if (newText is not null)
        {
            StorageNames.ValidateMessageText(queue, newText, nameof(newText));
        }

        var dir = Path.Combine(_queuesRoot, queue);
        using var held = await LockQueueAsync(queue, dir, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        var (path, record) = await FindLiveMessageAsync(queue, dir, messageId, popReceipt, now, cancellationToken).ConfigureAwait(false);
        var updated = record with
        {
            Text = newText ?? record.Text,
            PopReceipt = NewPopReceipt(),
            NextVisibleOn = now.AddSeconds(seconds),
            Version = record.Version + 1,
        };
        await ReplaceMessageAsync(queue, dir, path, updated, cancellationToken).ConfigureAwait(false);
        return new QueueMessageReceipt(updated.Id, updated.PopReceipt, updated.NextVisibleOn);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string queue, string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        var dir = Path.Combine(_queuesRoot, queue);
        using var held = await LockQueueAsync(queue, dir, cancellationToken).ConfigureAwait(false);
        var (path, _) = await FindLiveMessageAsync(queue, dir, messageId, popReceipt, _clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        File.Delete(path);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PeekedQueueMessage>> PeekAsync(string queue, int maxMessages, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        StorageNames.ValidateMessageCount(maxMessages);
        var dir = Path.Combine(_queuesRoot, queue);
        using var held = await LockQueueAsync(queue, dir, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        var peeked = new List<PeekedQueueMessage>(maxMessages);
        foreach (var entry in VisibleEntries(queue, dir, now))
        {
            if (peeked.Count == maxMessages)
            {
                break;
            }

            var record = await ReadMessageAsync(entry.Path, cancellationToken).ConfigureAwait(false);
            if (record is null || record.ExpiresOn <= now)
            {
                continue;
            }

            peeked.Add(new PeekedQueueMessage(record.Id, record.Text, record.DequeueCount, record.InsertedOn, record.ExpiresOn));
        }

        return peeked;
    }

    /// <inheritdoc />
    public Task<int> GetApproximateCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        StorageNames.ValidateQueue(queue);
        cancellationToken.ThrowIfCancellationRequested();
        var dir = Path.Combine(_queuesRoot, queue);

        // No lock: the count is approximate by contract, and a message caught mid-rename counts once.
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in ListEntries(queue, dir))
        {
            ids.Add(entry.Id);
        }

        return Task.FromResult(ids.Count);
    }

    /// <summary>Live entries (one per message, the newest version), visible at <paramref name="now"/>, oldest first.</summary>
    private List<MessageEntry> VisibleEntries(string queue, string dir, DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        return Deduplicate(ListEntries(queue, dir))
            .Where(e => e.VisibleTicks <= nowTicks)
            .OrderBy(e => e.VisibleTicks)
            .ThenBy(e => e.InsertedTicks)
            .ThenBy(e => e.Id, StringComparer.Ordinal)
            .ToList();
    }

    private List<MessageEntry> ListEntries(string queue, string dir)
    {
        var entries = new List<MessageEntry>();
        try
        {
            foreach (var path in Directory.EnumerateFiles(Path.Combine(dir, "m"), "*.msg"))
            {
                if (MessageEntry.TryParse(path) is { } entry)
                {
                    entries.Add(entry);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            throw QueueNotFound(queue);
        }

        return entries;
    }

    /// <summary>Keeps the newest version of each message and deletes older leftovers of an interrupted change (call under the lock).</summary>
    private static IEnumerable<MessageEntry> Deduplicate(List<MessageEntry> entries)
    {
        foreach (var group in entries.GroupBy(e => e.Id, StringComparer.Ordinal))
        {
            MessageEntry? newest = null;
            foreach (var entry in group)
            {
                if (newest is null || entry.Version > newest.Version)
                {
                    if (newest is not null)
                    {
                        LocalFiles.TryDeleteFile(newest.Path);
                    }

                    newest = entry;
                }
                else
                {
                    LocalFiles.TryDeleteFile(entry.Path);
                }
            }

            yield return newest!;
        }
    }

    private async Task<(string Path, LocalQueueMessageRecord Record)> FindLiveMessageAsync(
        string queue,
        string dir,
        string messageId,
        string popReceipt,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var entry = Deduplicate(ListEntries(queue, dir).Where(e => e.Id == messageId).ToList()).FirstOrDefault();
        var record = entry is null ? null : await ReadMessageAsync(entry.Path, cancellationToken).ConfigureAwait(false);
        if (entry is null || record is null)
        {
            throw new QueueMessageNotFoundException($"Message {messageId} is not in queue '{queue}' (deleted or expired).")
            {
                Status = 404,
                ErrorCode = "MessageNotFound",
            };
        }

        if (record.ExpiresOn <= now)
        {
            LocalFiles.TryDeleteFile(entry.Path);
            throw new QueueMessageNotFoundException($"Message {messageId} in queue '{queue}' has expired.")
            {
                Status = 404,
                ErrorCode = "MessageNotFound",
            };
        }

        if (!string.Equals(record.PopReceipt, popReceipt, StringComparison.Ordinal))
        {
            throw new QueueMessageNotFoundException(
                $"The pop receipt for message {messageId} in queue '{queue}' is stale: the message was received or updated since.")
            {
                Status = 400,
                ErrorCode = "PopReceiptMismatch",
            };
        }

        return (entry.Path, record);
    }

    private static async Task<LocalQueueMessageRecord?> ReadMessageAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
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
            return JsonSerializer.Deserialize(bytes, LocalJsonContext.Default.LocalQueueMessageRecord);
        }
        catch (JsonException e)
        {
            throw new StorageException($"The local queue message '{path}' is corrupt: {e.Message}", e) { Status = 500, ErrorCode = "CorruptRecord" };
        }
    }

    private async Task ReplaceMessageAsync(string queue, string dir, string oldPath, LocalQueueMessageRecord updated, CancellationToken cancellationToken)
    {
        await WriteMessageAsync(queue, dir, updated, cancellationToken).ConfigureAwait(false);
        LocalFiles.TryDeleteFile(oldPath);
    }

    private async Task WriteMessageAsync(string queue, string dir, LocalQueueMessageRecord record, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, LocalJsonContext.Default.LocalQueueMessageRecord);
        var temp = Path.Combine(dir, "tmp", Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: false))
            {
                await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (_options.FlushToDisk)
                {
                    file.Flush(flushToDisk: true);
                }
            }

            File.Move(temp, Path.Combine(dir, "m", MessageEntry.FileName(record)));
        }
        catch (DirectoryNotFoundException)
        {
            throw QueueNotFound(queue);
        }
        finally
        {
            LocalFiles.TryDeleteFile(temp);
        }
    }

    private async ValueTask<IDisposable> LockQueueAsync(string queue, string dir, CancellationToken cancellationToken)
    {
        try
        {
            return await _locks.AcquireAsync(Path.Combine(dir, "queue.lock"), cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException)
        {
            throw QueueNotFound(queue);
        }
    }

    private static string NewPopReceipt()
    {
        Span<byte> random = stackalloc byte[12];
        RandomNumberGenerator.Fill(random);
        return Convert.ToBase64String(random);
    }

    private QueueNotFoundException QueueNotFound(string queue) =>
        new($"Queue '{queue}' does not exist in the local store at '{RootPath}'. Create it first.")
        {
            Status = 404,
            ErrorCode = "QueueNotFound",
        };

    /// <summary>What a message file's name says: when it shows, when it was sent, its id and version.</summary>
    private sealed record MessageEntry(string Path, long VisibleTicks, long InsertedTicks, string Id, long Version)
    {
        public static string FileName(LocalQueueMessageRecord record) => string.Create(
            CultureInfo.InvariantCulture,
            $"{record.NextVisibleOn.UtcTicks:D19}.{record.InsertedOn.UtcTicks:D19}.{record.Id}.{record.Version:D19}.msg");

        public static MessageEntry? TryParse(string path)
        {
            var parts = System.IO.Path.GetFileName(path).Split('.');
            return parts.Length == 5 &&
                   long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var visible) &&
                   long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var inserted) &&
                   long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                ? new MessageEntry(path, visible, inserted, parts[2], version)
                : null;
        }
    }
}
