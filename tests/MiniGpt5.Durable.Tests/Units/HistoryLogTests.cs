using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Durable.Tests.Infrastructure;
using MiniGpt5.Storage;
using MiniGpt5.Storage.Local;

namespace MiniGpt5.Durable.Tests.Units;

/// <summary>The append-blob history: the position guard, multi-part checkpoints, torn writes, lost responses.</summary>
public sealed class HistoryLogTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly TaskHubNames _names = new("histtest");

    public void Dispose() => _folder.Dispose();

    private HistoryLog Log(IBlobStore blobs, int blockBytes = 2 * 1024 * 1024) =>
        new(blobs, _names, new StorageRetry(4, TimeSpan.FromMilliseconds(1), NullLogger.Instance), blockBytes);

    private async Task<IBlobStore> StoreAsync()
    {
        var blobs = new LocalBlobStore(_folder.Path);
        await blobs.CreateContainerAsync(_names.HistoryContainer);
        return blobs;
    }

    private static List<HistoryEvent> Events(int count, int payloadChars = 10) =>
        Enumerable.Range(0, count)
            .Select(i => (HistoryEvent)new TaskScheduledEvent(i, "Step", "\"" + new string('x', payloadChars) + "\"", "default", 1) { Timestamp = DateTime.UnixEpoch })
            .ToList();

    [Fact]
    public async Task Of_two_writers_at_the_same_position_exactly_one_commits()
    {
        var blobs = await StoreAsync();
        var log = Log(blobs);
        var first = await log.AppendAsync("i", "e", 0, 1, Events(3), null, default);

        // Both loaded the history at the same length and both try checkpoint 2.
        var a = log.AppendAsync("i", "e", first.NewPosition, 2, Events(2), "\"a\"", default);
        var b = log.AppendAsync("i", "e", first.NewPosition, 2, Events(1), "\"b\"", default);
        var outcomes = await Task.WhenAll(Capture(a), Capture(b));
        Assert.Single(outcomes, o => o is null);
        Assert.IsType<CheckpointConflictException>(Assert.Single(outcomes, o => o is not null));

        var history = await log.ReadAsync("i", "e", default);
        Assert.Equal([1, 2], history.Checkpoints.Select(c => c.Number));
    }

    [Fact]
    public async Task Big_checkpoints_are_split_into_parts_and_read_back_whole()
    {
        var blobs = await StoreAsync();
        var log = Log(blobs, blockBytes: 64 * 1024);
        var events = Events(2000, payloadChars: 100); // ~300 KB
        var result = await log.AppendAsync("i", "e", 0, 1, events, "\"status\"", default);
        Assert.True(result.BlocksWritten >= 4, $"{result.BlocksWritten} blocks");

        var history = await log.ReadAsync("i", "e", default);
        var checkpoint = Assert.Single(history.Checkpoints);
        Assert.Equal(events, checkpoint.Events);
        Assert.Equal("\"status\"", checkpoint.CustomStatus);
        Assert.Equal(result.NewPosition, history.AppendPosition);
        Assert.Equal(result.BlocksWritten, history.Blocks);
    }

    [Fact]
    public void A_torn_multi_part_write_is_ignored_and_superseded()
    {
        static string Line(int cp, string writer, int part, int parts, int eventId) =>
            $"{{\"cp\":{cp},\"w\":\"{writer}\",\"part\":{part},\"parts\":{parts},\"events\":[{{\"t\":\"TimerCreated\",\"eventId\":{eventId},\"fireAt\":\"2026-01-01T00:00:00Z\",\"timestamp\":\"2026-01-01T00:00:00Z\"}}]}}\n";
        var text = Line(1, "w1", 0, 1, 0)
            + Line(2, "dead", 0, 3, 1) + Line(2, "dead", 1, 3, 2) // the writer died before part 2
            + Line(2, "w2", 0, 2, 5) + Line(2, "w2", 1, 2, 6);
        var history = HistoryLog.Parse(Encoding.UTF8.GetBytes(text), "c", "b", "e");
        Assert.Equal([1, 2], history.Checkpoints.Select(c => c.Number));
        Assert.Equal([5, 6], history.Checkpoints[1].Events.Cast<TimerCreatedEvent>().Select(e => e.EventId));
    }

    [Fact]
    public void A_corrupt_record_names_the_blob_and_offset()
    {
        var error = Assert.Throws<HistoryCorruptedException>(() => HistoryLog.Parse(Encoding.UTF8.GetBytes("{not json\n"), "hub-history", "i/e", "e"));
        Assert.Contains("hub-history/i/e", error.Message, StringComparison.Ordinal);
        Assert.Contains("byte 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_retried_append_whose_first_answer_was_lost_counts_as_committed()
    {
        var store = new LostResponseBlobStore(await StoreAsync()) { LoseNextAppends = 1 };
        var log = Log(store);
        var result = await log.AppendAsync("i", "e", 0, 1, Events(2), null, default);
        var history = await log.ReadAsync("i", "e", default);
        Assert.Equal(result.NewPosition, history.AppendPosition);
        Assert.Single(history.Checkpoints);
    }

    private static async Task<Exception?> Capture(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
