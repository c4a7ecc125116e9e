using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// One task hub on a blob store and a queue store — the only backend. Over the local file-system stores it is
/// the embedded single-machine backend; over the Azure REST stores it is the Azure Storage (or Azurite)
/// backend. Clients and workers in one process share one hub object (it carries the in-process wake-ups).
/// See <c>src/MiniGpt5.Durable/README.md</c> for the layout and the guarantees.
/// </summary>
public sealed class DurableTaskHub : IDisposable
{
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private readonly ConcurrentDictionary<string, Task> _activityQueues = new(StringComparer.Ordinal);
    private volatile bool _created;
    private int _partitionCount;

    /// <summary>Creates the hub object; call <see cref="EnsureCreatedAsync"/> before use (clients and workers do).</summary>
    public DurableTaskHub(IBlobStore blobs, IQueueStore queues, IOptions<DurableTaskHubOptions> options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        Options.Validate();
        Blobs = blobs;
        Queues = queues;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Logger = LoggerFactory.CreateLogger("MiniGpt5.Durable");
        Names = new TaskHubNames(Options.HubName);
        Retry = new StorageRetry(Options.StorageRetryAttempts, Options.StorageRetryDelay, Logger);
        History = new HistoryLog(blobs, Names, Retry, Options.HistoryBlockBytes);
        Status = new InstanceStatusStore(blobs, Names, Retry);
        Payloads = new PayloadStore(blobs, Names, Retry, Options.PayloadInlineLimitBytes);
        Codec = new MessageCodec(Payloads);
        Poison = new PoisonStore(blobs, Names, Retry);
        Metrics = new DurableMetrics(Names.Hub, meterFactory);
        Json = Options.JsonSerializerOptions ?? PayloadJson.DefaultOptions;
        _partitionCount = Options.PartitionCount;
    }

    /// <summary>The hub name (prefix of its containers and queues).</summary>
    public string Name => Names.Hub;

    /// <summary>Partitions (control queues); read from the hub's metadata once it exists.</summary>
    public int PartitionCount => Volatile.Read(ref _partitionCount);

    /// <summary>The settings this hub runs with.</summary>
    public DurableTaskHubOptions Options { get; }

    /// <summary>What the runtime did in this process so far.</summary>
    public DurableTaskHubStatistics Statistics => Metrics.Snapshot();

    internal IBlobStore Blobs { get; }

    internal IQueueStore Queues { get; }

    internal ILoggerFactory LoggerFactory { get; }

    internal ILogger Logger { get; }

    internal TaskHubNames Names { get; }

    internal StorageRetry Retry { get; }

    internal HistoryLog History { get; }

    internal InstanceStatusStore Status { get; }

    internal PayloadStore Payloads { get; }

    internal MessageCodec Codec { get; }

    internal PoisonStore Poison { get; }

    internal DurableMetrics Metrics { get; }

    internal ChangeSignals Signals { get; } = new();

    internal JsonSerializerOptions Json { get; }

    /// <summary>
    /// Creates the containers, control queues and partition lease blobs if they do not exist, and records the
    /// partition count in <c>{hub}-leases/hub.json</c>; on an existing hub, checks that the count matches.
    /// Safe to call from many processes at once.
    /// </summary>
    /// <exception cref="TaskHubConfigurationException">The hub exists with another partition count.</exception>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        if (_created)
        {
            return;
        }

        await _createLock.WaitAsync(cancellationToken);
        try
        {
            if (_created)
            {
                return;
            }

            foreach (var container in Names.Containers)
            {
                await Retry.RunAsync("create container", ct => Blobs.CreateContainerAsync(container, ct), cancellationToken);
            }

            var count = await ReadOrWriteHubInfoAsync(cancellationToken);
            for (var p = 0; p < count; p++)
            {
                var partition = p;
                await Retry.RunAsync("create control queue", ct => Queues.CreateQueueAsync(Names.ControlQueue(partition), ct), cancellationToken);
                await CreateEmptyBlobAsync(Names.LeasesContainer, TaskHubNames.PartitionLeaseBlob(partition), cancellationToken);
            }

            Volatile.Write(ref _partitionCount, count);
            _created = true;
        }
        finally
        {
            _createLock.Release();
        }
    }

    /// <summary>
    /// Deletes every container and control queue of the hub (all instances, histories and messages), and the
    /// activity queues this process has used; delete others with <see cref="DeleteActivityQueueAsync"/>.
    /// </summary>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        foreach (var container in Names.Containers)
        {
            await Retry.RunAsync("delete container", ct => Blobs.DeleteContainerAsync(container, ct), cancellationToken);
        }

        for (var p = 0; p < PartitionCount; p++)
        {
            var partition = p;
            await Retry.RunAsync("delete control queue", ct => Queues.DeleteQueueAsync(Names.ControlQueue(partition), ct), cancellationToken);
        }

        foreach (var taskQueue in _activityQueues.Keys)
        {
            await Retry.RunAsync("delete activity queue", ct => Queues.DeleteQueueAsync(Names.ActivityQueue(taskQueue), ct), cancellationToken);
        }

        _activityQueues.Clear();
        _created = false;
    }

    /// <summary>Deletes the activity queue of a task queue (part of tearing a hub down).</summary>
    public Task DeleteActivityQueueAsync(string taskQueue, CancellationToken cancellationToken = default) =>
        Retry.RunAsync("delete activity queue", ct => Queues.DeleteQueueAsync(Names.ActivityQueue(TaskHubNames.ValidateTaskQueue(taskQueue)), ct), cancellationToken);

    /// <summary>Disposes the metrics meter.</summary>
    public void Dispose()
    {
        Metrics.Dispose();
        _createLock.Dispose();
    }

    internal int PartitionOf(string instanceId) => Fnv1a.Partition(instanceId, PartitionCount);

    internal string ControlQueueOf(string instanceId) => Names.ControlQueue(PartitionOf(instanceId));

    /// <summary>Creates the queue of a task queue once per process.</summary>
    internal Task EnsureActivityQueueAsync(string taskQueue, CancellationToken cancellationToken)
    {
        var task = _activityQueues.GetOrAdd(
            taskQueue,
            tq => Retry.RunAsync("create activity queue", ct => Queues.CreateQueueAsync(Names.ActivityQueue(tq), ct), CancellationToken.None));
        if (task.IsFaulted || task.IsCanceled)
        {
            _activityQueues.TryRemove(new KeyValuePair<string, Task>(taskQueue, task));
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Encodes and sends one message, then wakes pollers of that queue in this process.</summary>
    internal async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var text = message.Body switch
        {
            ControlMessage control => await Codec.EncodeAsync(control, message.InstanceId, cancellationToken),
            ActivityWorkItem work => await Codec.EncodeAsync(work, message.InstanceId, cancellationToken),
            _ => throw new ArgumentException($"Unknown message body {message.Body.GetType().Name}.", nameof(message)),
        };
        if (message.Body is ActivityWorkItem activity)
        {
            await EnsureActivityQueueAsync(activity.TaskQueue, cancellationToken);
        }

        var delay = message.Delay is { } d && d > TimeSpan.Zero ? d : (TimeSpan?)null;
        await Retry.RunAsync(
            "send message",
            ct => Queues.SendAsync(message.Queue, text, delay, Timeout.InfiniteTimeSpan, ct),
            cancellationToken);
        Metrics.Sent(1);
        if (delay is null)
        {
            Signals.Notify(message.Queue);
        }
    }

    /// <summary>Sends messages with bounded parallelism.</summary>
    internal async Task SendAllAsync(IReadOnlyList<OutboundMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        if (messages.Count == 1)
        {
            await SendAsync(messages[0], cancellationToken);
            return;
        }

        await Parallel.ForEachAsync(
            messages,
            new ParallelOptions { MaxDegreeOfParallelism = Options.MaxStorageConcurrency, CancellationToken = cancellationToken },
            async (message, ct) => await SendAsync(message, ct));
    }

    /// <summary>Deletes a processed message; one that is already gone (redelivered elsewhere, or deleted) is fine.</summary>
    internal async Task DeleteMessageAsync<T>(Dispatch.ReceivedMessage<T> message, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await Retry.RunAsync("delete message", ct => Queues.DeleteAsync(message.Queue, message.MessageId, message.PopReceipt, ct), cancellationToken);
        }
        catch (QueueMessageNotFoundException)
        {
        }
    }

    /// <summary>
    /// Hands a message back: visible again after <paramref name="delay"/>. A graceful hand-back (shutdown, lost
    /// race, partition move) also bumps the counter in the text so it does not count towards poisoning.
    /// </summary>
    internal async Task AbandonMessageAsync<T>(Dispatch.ReceivedMessage<T> message, TimeSpan delay, bool graceful, CancellationToken cancellationToken)
        where T : class
    {
        var text = graceful ? MessageCodec.WithAbandons(message.Text, message.Abandons + 1) : null;
        try
        {
            var receipt = await Retry.RunAsync(
                "abandon message",
                ct => Queues.UpdateAsync(message.Queue, message.MessageId, message.PopReceipt, delay, text, ct),
                cancellationToken);
            message.PopReceipt = receipt.PopReceipt;
            if (delay == TimeSpan.Zero)
            {
                Signals.Notify(message.Queue);
            }
        }
        catch (QueueMessageNotFoundException)
        {
        }
        catch (Exception e) when (e is StorageException or HttpRequestException or IOException or OperationCanceledException)
        {
            DurableLog.AbandonFailed(Logger, message.MessageId, message.Queue, e.Message);
        }
    }

    private async Task<int> ReadOrWriteHubInfoAsync(CancellationToken cancellationToken)
    {
        var info = new HubInfo(Options.PartitionCount, DateTime.UtcNow, 1);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(info, DurableJson.Options);
        try
        {
            await Retry.RunAsync(
                "write hub info",
                ct => Blobs.PutAsync(
                    Names.LeasesContainer,
                    TaskHubNames.HubInfoBlob,
                    new MemoryStream(bytes, writable: false),
                    new BlobPutOptions { ContentType = "application/json", Conditions = BlobConditions.CreateOnly },
                    ct),
                cancellationToken);
            return info.PartitionCount;
        }
        catch (BlobAlreadyExistsException)
        {
            var existing = await Retry.RunAsync(
                "read hub info",
                async ct =>
                {
                    await using var download = await Blobs.GetAsync(Names.LeasesContainer, TaskHubNames.HubInfoBlob, cancellationToken: ct);
                    return await JsonSerializer.DeserializeAsync<HubInfo>(download.Content, DurableJson.Options, ct);
                },
                cancellationToken);
            if (existing is null || existing.PartitionCount < 1)
            {
                throw new TaskHubConfigurationException($"Task hub '{Name}' has an unreadable '{Names.LeasesContainer}/{TaskHubNames.HubInfoBlob}'.");
            }

            if (existing.PartitionCount != Options.PartitionCount)
            {
                throw new TaskHubConfigurationException(
                    $"Task hub '{Name}' was created with {existing.PartitionCount} partitions, but this process is configured with {Options.PartitionCount}. " +
                    "The partition count of a hub cannot change (instances are pinned to partitions by hash); set PartitionCount to match, or use a new hub name.");
            }

            return existing.PartitionCount;
        }
    }

    private async Task CreateEmptyBlobAsync(string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            await Retry.RunAsync(
                "create lease blob",
                ct => Blobs.PutAsync(container, name, new MemoryStream([], writable: false), new BlobPutOptions { Conditions = BlobConditions.CreateOnly }, ct),
                cancellationToken);
        }
        catch (BlobAlreadyExistsException)
        {
        }
        catch (BlobConditionFailedException)
        {
            // Leased by a worker right now: it exists.
        }
    }

    private sealed record HubInfo(int PartitionCount, DateTime CreatedAt, int Format);
}
