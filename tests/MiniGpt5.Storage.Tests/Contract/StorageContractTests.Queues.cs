using System.Collections.Concurrent;

namespace MiniGpt5.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Queue_create_and_delete_report_whether_anything_changed()
    {
        var name = "q" + Guid.NewGuid().ToString("N")[..20];
        Assert.True(await Queues.CreateQueueAsync(name));
        Assert.False(await Queues.CreateQueueAsync(name));
        Assert.True(await Queues.DeleteQueueAsync(name));
        Assert.False(await Queues.DeleteQueueAsync(name));
        await Assert.ThrowsAsync<ArgumentException>(() => Queues.CreateQueueAsync("Bad_Queue"));
    }

    [Fact]
    public async Task Operations_on_a_missing_queue_are_typed_not_found()
    {
        var missing = "q" + Guid.NewGuid().ToString("N")[..20];
        var e = await Assert.ThrowsAsync<QueueNotFoundException>(() => Queues.SendAsync(missing, "x"));
        Assert.Equal(404, e.Status);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<QueueNotFoundException>(() => Queues.ReceiveAsync(missing, 1, OneSecond));
        await Assert.ThrowsAsync<QueueNotFoundException>(() => Queues.GetApproximateCountAsync(missing));
    }

    [Theory]
    [InlineData("plain text")]
    [InlineData("<xml> & \"quotes\" 'apostrophes' ]]> </MessageText>")]
    [InlineData("unicode: Ünïcödé 名前 🎨 \u0001 control")]
    [InlineData("{\"json\":[1,2,3],\"nested\":{\"a\":null}}")]
    public async Task Send_receive_delete_round_trips_any_text(string text)
    {
        var queue = await NewQueueAsync();
        var sent = await Queues.SendAsync(queue, text);
        Assert.False(string.IsNullOrEmpty(sent.MessageId));

        var received = Assert.Single(await Queues.ReceiveAsync(queue, 32, TimeSpan.FromSeconds(30)));
        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal(text, received.Text);
        Assert.Equal(1, received.DequeueCount);
        Assert.True(received.NextVisibleOn > received.InsertedOn);
        Assert.True(received.ExpiresOn > received.InsertedOn.AddDays(6));

        await Queues.DeleteAsync(queue, received.MessageId, received.PopReceipt);
        Assert.Empty(await Queues.ReceiveAsync(queue, 32, OneSecond));
        Assert.Equal(0, await Queues.GetApproximateCountAsync(queue));
        var gone = await Assert.ThrowsAsync<QueueMessageNotFoundException>(
            () => Queues.DeleteAsync(queue, received.MessageId, received.PopReceipt));
        Assert.Contains(queue, gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Largest_message_round_trips_and_larger_is_refused()
    {
        var queue = await NewQueueAsync();
        var largest = new string('é', IQueueStore.MaxMessageBytes / 2); // 2 UTF-8 bytes each.
        await Queues.SendAsync(queue, largest);
        Assert.Equal(largest, Assert.Single(await Queues.ReceiveAsync(queue, 1, OneSecond)).Text);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => Queues.SendAsync(queue, largest + "x"));
        Assert.Contains("blob", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_received_message_is_hidden_then_redelivered_with_dequeue_count_two()
    {
        var queue = await NewQueueAsync();
        await Queues.SendAsync(queue, "work item");
        var first = Assert.Single(await Queues.ReceiveAsync(queue, 1, OneSecond));
        Assert.Equal(1, first.DequeueCount);
        Assert.Empty(await Queues.ReceiveAsync(queue, 1, OneSecond)); // Hidden while the first receiver works.

        await WaitAsync(TimeSpan.FromSeconds(1.5));
        var second = Assert.Single(await Queues.ReceiveAsync(queue, 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        Assert.NotEqual(first.PopReceipt, second.PopReceipt);

        // The first receiver's receipt is stale now: its delete must not remove the second receiver's message.
        await Assert.ThrowsAsync<QueueMessageNotFoundException>(() => Queues.DeleteAsync(queue, first.MessageId, first.PopReceipt));
        await Assert.ThrowsAsync<QueueMessageNotFoundException>(
            () => Queues.UpdateAsync(queue, first.MessageId, first.PopReceipt, TimeSpan.FromSeconds(10)));
        await Queues.DeleteAsync(queue, second.MessageId, second.PopReceipt);
    }

    [Fact]
    public async Task Renewing_visibility_keeps_a_message_hidden_past_its_first_timeout()
    {
        var queue = await NewQueueAsync();
        await Queues.SendAsync(queue, "long gpu job");
        var received = Assert.Single(await Queues.ReceiveAsync(queue, 1, OneSecond));

        // Heartbeat before the first timeout ends.
        await WaitAsync(TimeSpan.FromSeconds(0.3));
        var renewed = await Queues.UpdateAsync(queue, received.MessageId, received.PopReceipt, TimeSpan.FromSeconds(3));
        Assert.NotEqual(received.PopReceipt, renewed.PopReceipt);
        Assert.Equal(received.MessageId, renewed.MessageId);
        Assert.True(renewed.NextVisibleOn > received.NextVisibleOn);

        // Past the first timeout: still hidden.
        await WaitAsync(TimeSpan.FromSeconds(1.5));
        Assert.Empty(await Queues.ReceiveAsync(queue, 1, OneSecond));

        // The old receipt died with the update; the new one works.
        await Assert.ThrowsAsync<QueueMessageNotFoundException>(() => Queues.DeleteAsync(queue, received.MessageId, received.PopReceipt));
        await Queues.DeleteAsync(queue, renewed.MessageId, renewed.PopReceipt);
        Assert.Equal(0, await Queues.GetApproximateCountAsync(queue));
    }

    [Fact]
    public async Task Update_can_replace_the_text_and_abandon_a_message_at_once()
    {
        var queue = await NewQueueAsync();
        await Queues.SendAsync(queue, "attempt 1");
        var received = Assert.Single(await Queues.ReceiveAsync(queue, 1, TimeSpan.FromSeconds(30)));
        await Queues.UpdateAsync(queue, received.MessageId, received.PopReceipt, TimeSpan.Zero, "attempt 2");

        var again = Assert.Single(await Queues.ReceiveAsync(queue, 1, TimeSpan.FromSeconds(30)));
        Assert.Equal("attempt 2", again.Text);
        Assert.Equal(2, again.DequeueCount);
    }

    [Fact]
    public async Task A_visibility_delay_hides_a_new_message_until_it_passes()
    {
        var queue = await NewQueueAsync();
        var sent = await Queues.SendAsync(queue, "timer fired", visibilityDelay: OneSecond);
        Assert.Empty(await Queues.ReceiveAsync(queue, 1, OneSecond));
        Assert.Empty(await Queues.PeekAsync(queue, 1));
        Assert.Equal(1, await Queues.GetApproximateCountAsync(queue));

        await WaitAsync(TimeSpan.FromSeconds(1.5));
        var received = Assert.Single(await Queues.ReceiveAsync(queue, 1, OneSecond));
        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal(1, received.DequeueCount);
    }

    [Fact]
    public async Task Messages_expire_after_their_time_to_live()
    {
        var queue = await NewQueueAsync();
        await Queues.SendAsync(queue, "short lived", timeToLive: OneSecond);
        var forever = await Queues.SendAsync(queue, "forever", timeToLive: Timeout.InfiniteTimeSpan);

        await WaitAsync(TimeSpan.FromSeconds(1.5));
        var received = Assert.Single(await Queues.ReceiveAsync(queue, 32, OneSecond));
        Assert.Equal(forever.MessageId, received.MessageId);
        Assert.True(received.ExpiresOn.Year >= 9999);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => Queues.SendAsync(queue, "x", visibilityDelay: TimeSpan.FromSeconds(5), timeToLive: TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queues.SendAsync(queue, "x", timeToLive: TimeSpan.Zero));
    }

    [Fact]
    public async Task Peek_neither_hides_nor_counts_a_dequeue()
    {
        var queue = await NewQueueAsync();
        await Queues.SendAsync(queue, "a");
        await Queues.SendAsync(queue, "b");

        var peeked = await Queues.PeekAsync(queue, 32);
        Assert.Equal(["a", "b"], peeked.Select(p => p.Text).Order(StringComparer.Ordinal));
        Assert.All(peeked, p => Assert.Equal(0, p.DequeueCount));
        Assert.Single(await Queues.PeekAsync(queue, 1));

        var received = await Queues.ReceiveAsync(queue, 32, TimeSpan.FromSeconds(30));
        Assert.Equal(2, received.Count);
        Assert.All(received, r => Assert.Equal(1, r.DequeueCount));
        Assert.Empty(await Queues.PeekAsync(queue, 32)); // Received ones are hidden from peek too.
    }

    [Fact]
    public async Task Approximate_count_includes_hidden_messages()
    {
        var queue = await NewQueueAsync();
        for (var i = 0; i < 5; i++)
        {
            await Queues.SendAsync(queue, $"m{i}");
        }

        Assert.Equal(5, await Queues.GetApproximateCountAsync(queue));
        var received = await Queues.ReceiveAsync(queue, 2, TimeSpan.FromSeconds(30));
        Assert.Equal(2, received.Count);
        Assert.Equal(5, await Queues.GetApproximateCountAsync(queue));
        await Queues.DeleteAsync(queue, received[0].MessageId, received[0].PopReceipt);
        Assert.Equal(4, await Queues.GetApproximateCountAsync(queue));
    }

    [Fact]
    public async Task Receive_takes_at_most_what_was_asked_and_rejects_bad_counts()
    {
        var queue = await NewQueueAsync();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Queues.SendAsync(queue, $"m{i}")));
        Assert.Equal(32, (await Queues.ReceiveAsync(queue, 32, TimeSpan.FromSeconds(30))).Count);
        Assert.Equal(8, (await Queues.ReceiveAsync(queue, 32, TimeSpan.FromSeconds(30))).Count);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queues.ReceiveAsync(queue, 0, OneSecond));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queues.ReceiveAsync(queue, 33, OneSecond));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queues.ReceiveAsync(queue, 1, TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queues.ReceiveAsync(queue, 1, TimeSpan.FromDays(8)));
    }

    [Fact]
    public async Task Concurrent_receivers_never_share_a_hidden_message()
    {
        var queue = await NewQueueAsync();
        const int Count = 60;
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => Queues.SendAsync(queue, $"job {i}")));

        var seen = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            while (true)
            {
                var batch = await Queues.ReceiveAsync(queue, 4, TimeSpan.FromSeconds(60));
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var message in batch)
                {
                    seen.Add(message.Text);
                    await Queues.DeleteAsync(queue, message.MessageId, message.PopReceipt);
                }
            }
        }));

        Assert.Equal(Count, seen.Count);
        Assert.Equal(Count, seen.Distinct().Count());
    }
}
