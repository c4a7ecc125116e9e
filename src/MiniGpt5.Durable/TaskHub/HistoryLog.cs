using System.Text;
using System.Text.Json;
using MiniGpt5.Durable.History;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// The history of one execution as an append blob of checkpoints, one JSON line per append block:
/// <c>{"cp":n,"w":writer,"part":i,"parts":k,"events":[...],"status":...}</c>. The blob's length is the
/// concurrency guard: every append states the position it expects (<c>x-ms-blob-condition-appendpos</c>), so of
/// two workers that loaded the same state only one can commit the next checkpoint; the other gets
/// <see cref="CheckpointConflictException"/> and abandons its episode. A checkpoint too big for one block is
/// split into parts; a reader keeps a checkpoint only when all its parts from one writer follow each other, so
/// a writer that died half-way leaves a tail that the next writer simply supersedes.
/// </summary>
internal sealed class HistoryLog(IBlobStore blobs, TaskHubNames names, StorageRetry retry, int blockBytes)
{
    /// <summary>Append blobs hold at most 50,000 blocks.</summary>
    public const int MaxBlocks = 50_000;

    private static readonly JsonSerializerOptions Json = DurableJson.Options;

    /// <summary>Reads every complete checkpoint of an execution; an absent blob is an empty history.</summary>
    public async Task<HistorySnapshot> ReadAsync(string instanceId, string executionId, CancellationToken cancellationToken)
    {
        var blob = TaskHubNames.HistoryBlob(instanceId, executionId);
        byte[] bytes;
        try
        {
            bytes = await retry.RunAsync(
                "read history",
                async ct =>
                {
                    await using var download = await blobs.GetAsync(names.HistoryContainer, blob, cancellationToken: ct);
                    using var buffer = new MemoryStream();
                    await download.Content.CopyToAsync(buffer, ct);
                    return buffer.ToArray();
                },
                cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            return new HistorySnapshot(executionId, [], 0, 0, Exists: false);
        }

        return Parse(bytes, names.HistoryContainer, blob, executionId);
    }

    /// <summary>Parses a history blob (exposed for tests and tools).</summary>
    public static HistorySnapshot Parse(byte[] bytes, string container, string blob, string executionId)
    {
        var checkpoints = new List<Checkpoint>();
        var blocks = 0;
        List<CheckpointRecord>? group = null;
        var offset = 0;
        while (offset < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', offset);
            if (end < 0)
            {
                throw new HistoryCorruptedException(
                    $"History blob '{container}/{blob}' ends with an unterminated record at byte {offset}; every block must end with a newline.");
            }

            blocks++;
            CheckpointRecord record;
            try
            {
                record = JsonSerializer.Deserialize<CheckpointRecord>(bytes.AsSpan(offset, end - offset), Json)
                    ?? throw new JsonException("null record");
            }
            catch (JsonException e)
            {
                throw new HistoryCorruptedException($"History blob '{container}/{blob}' has an unreadable record at byte {offset}: {e.Message}", e);
            }

            offset = end + 1;
            if (record.Part == 0)
            {
                group = [record];
            }
            else if (group is not null && group[^1].Writer == record.Writer && group[^1].Checkpoint == record.Checkpoint && group[^1].Part + 1 == record.Part)
            {
                group.Add(record);
            }
            else
            {
                group = null; // a stray part of an abandoned multi-part write
                continue;
            }

            if (group.Count == record.Parts)
            {
                checkpoints.Add(new Checkpoint(
                    record.Checkpoint,
                    group.SelectMany(r => r.Events).ToList(),
                    record.CustomStatus));
                group = null;
            }
        }

        return new HistorySnapshot(executionId, checkpoints, bytes.Length, blocks, Exists: true);
    }

    /// <summary>
    /// Appends one checkpoint at <paramref name="expectedPosition"/> and returns the new length.
    /// Throws <see cref="CheckpointConflictException"/> when another writer got there first.
    /// </summary>
    public async Task<AppendResult> AppendAsync(
        string instanceId,
        string executionId,
        long expectedPosition,
        int checkpoint,
        IReadOnlyList<HistoryEvent> events,
        string? customStatus,
        CancellationToken cancellationToken)
    {
        var blob = TaskHubNames.HistoryBlob(instanceId, executionId);
        var writer = Guid.NewGuid().ToString("N");
        var blocks = Pack(checkpoint, writer, events, customStatus);
        if (expectedPosition == 0)
        {
            try
            {
                await retry.RunAsync(
                    "create history",
                    ct => blobs.CreateAppendBlobAsync(
                        names.HistoryContainer,
                        blob,
                        new BlobPutOptions { ContentType = "application/x-ndjson", Conditions = BlobConditions.CreateOnly },
                        ct),
                    cancellationToken);
            }
            catch (BlobAlreadyExistsException)
            {
                // Someone created it (a previous attempt of ours, or a rival); the position check decides.
            }
        }

        var position = expectedPosition;
        foreach (var block in blocks)
        {
            BlobConditionFailedException? conflict = null;
            try
            {
                await retry.RunAsync(
                    "append history",
                    ct => blobs.AppendBlockAsync(names.HistoryContainer, blob, block, expectedAppendPosition: position, cancellationToken: ct),
                    cancellationToken);
            }
            catch (BlobConditionFailedException e)
            {
                conflict = e;
            }

            // A condition failure may be our own retried append whose first answer was lost: check the bytes.
            if (conflict is not null && !await IsOursAsync(blob, position, block, cancellationToken))
            {
                throw new CheckpointConflictException(
                    $"History of instance '{instanceId}' (execution {executionId}) moved past byte {position} while checkpoint {checkpoint} was being written: another worker committed first.",
                    conflict);
            }

            position += block.Length;
        }

        return new AppendResult(position, blocks.Count);
    }

    private async Task<bool> IsOursAsync(string blob, long position, byte[] block, CancellationToken cancellationToken)
    {
        try
        {
            await using var download = await blobs.GetAsync(
                names.HistoryContainer,
                blob,
                new BlobRange(position, block.Length),
                cancellationToken: cancellationToken);
            using var buffer = new MemoryStream();
            await download.Content.CopyToAsync(buffer, cancellationToken);
            return buffer.Length == block.Length && buffer.GetBuffer().AsSpan(0, block.Length).SequenceEqual(block);
        }
        catch (StorageException)
        {
            return false;
        }
    }

    private List<byte[]> Pack(int checkpoint, string writer, IReadOnlyList<HistoryEvent> events, string? customStatus)
    {
        // Serialize each event once, then fill parts up to the block size.
        var serialized = events.Select(e => JsonSerializer.SerializeToUtf8Bytes(e, Json)).ToList();
        var statusBytes = customStatus is null ? 0 : Encoding.UTF8.GetByteCount(customStatus) * 2;
        var budget = blockBytes - 512 - statusBytes;
        var parts = new List<List<byte[]>> { new() };
        var size = 0;
        foreach (var item in serialized)
        {
            if (item.Length > budget)
            {
                throw new InvalidOperationException(
                    $"One history event of checkpoint {checkpoint} is {item.Length} bytes, more than an append block can hold ({budget}); large payloads must go by blob reference.");
            }

            if (size + item.Length + 1 > budget && parts[^1].Count > 0)
            {
                parts.Add([]);
                size = 0;
            }

            parts[^1].Add(item);
            size += item.Length + 1;
        }

        var blocks = new List<byte[]>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteNumber("cp", checkpoint);
                json.WriteString("w", writer);
                json.WriteNumber("part", i);
                json.WriteNumber("parts", parts.Count);
                json.WriteStartArray("events");
                foreach (var item in parts[i])
                {
                    json.WriteRawValue(item, skipInputValidation: true);
                }

                json.WriteEndArray();
                if (i == parts.Count - 1 && customStatus is not null)
                {
                    json.WriteString("status", customStatus);
                }

                json.WriteEndObject();
            }

            stream.WriteByte((byte)'\n');
            blocks.Add(stream.ToArray());
        }

        return blocks;
    }
}

/// <summary>What an append did.</summary>
internal sealed record AppendResult(long NewPosition, int BlocksWritten);

/// <summary>Everything committed to one execution's history.</summary>
internal sealed record HistorySnapshot(string ExecutionId, IReadOnlyList<Checkpoint> Checkpoints, long AppendPosition, int Blocks, bool Exists)
{
    public int LastCheckpoint => Checkpoints.Count == 0 ? 0 : Checkpoints[^1].Number;

    public IEnumerable<HistoryEvent> Events => Checkpoints.SelectMany(c => c.Events);

    public string? CustomStatus => Checkpoints.Count == 0 ? null : Checkpoints[^1].CustomStatus;
}

/// <summary>One committed checkpoint: the events of one episode.</summary>
internal sealed record Checkpoint(int Number, IReadOnlyList<HistoryEvent> Events, string? CustomStatus);

/// <summary>One line of a history blob.</summary>
internal sealed record CheckpointRecord
{
    [System.Text.Json.Serialization.JsonPropertyName("cp")]
    public int Checkpoint { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("w")]
    public string Writer { get; init; } = string.Empty;

    public int Part { get; init; }

    public int Parts { get; init; } = 1;

    public IReadOnlyList<HistoryEvent> Events { get; init; } = [];

    [System.Text.Json.Serialization.JsonPropertyName("status")]
    public string? CustomStatus { get; init; }
}

/// <summary>Another worker committed to this history first; the episode must be abandoned.</summary>
internal sealed class CheckpointConflictException(string message, Exception inner) : Exception(message, inner);
