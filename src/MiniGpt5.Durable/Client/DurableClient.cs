using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MiniGpt5.Durable.Dispatch;
using MiniGpt5.Durable.History;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Client;

/// <summary>
/// Starts, observes and controls orchestration instances of one task hub. Thread-safe; one per process is
/// enough. Works with or without a worker in the same process (with one, waits are woken at once).
/// </summary>
public sealed class DurableClient(DurableTaskHub hub, DurableTaskRegistry? registry = null)
{
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The hub this client talks to.</summary>
    public DurableTaskHub Hub => hub;

    /// <summary>
    /// Schedules an orchestration and returns its instance id. The status document is written first (create-only,
    /// or over a finished instance being replaced), then the start message is sent; a start interrupted between
    /// the two is finished by calling again with <see cref="DuplicateStartBehavior.ReturnExisting"/>.
    /// </summary>
    /// <exception cref="OrchestrationAlreadyExistsException">The id exists in a status that blocks the start.</exception>
    public async Task<string> ScheduleNewOrchestrationAsync(
        string orchestratorName,
        object? input = null,
        StartOrchestrationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        DurableTaskRegistry.ValidateName(orchestratorName, "orchestrator");
        options ??= new StartOrchestrationOptions();
        var instanceId = TaskHubNames.ValidateInstanceId(options.InstanceId ?? Guid.NewGuid().ToString("N"));
        await hub.EnsureCreatedAsync(cancellationToken);
        var version = options.Version
            ?? (registry is not null && registry.TryGetOrchestrator(orchestratorName, out var registration) ? registration.Version : string.Empty);
        var now = DateTime.UtcNow;
        var storedInput = await hub.Payloads.OffloadIfLargeAsync(instanceId, PayloadJson.SerializeObject(input, hub.Json), cancellationToken);
        var startAt = options.StartAt is { } at ? DateTime.SpecifyKind(at.Kind == DateTimeKind.Local ? at.ToUniversalTime() : at, DateTimeKind.Utc) : (DateTime?)null;

        var executionId = Guid.NewGuid().ToString("N");
        for (var attempt = 0; ; attempt++)
        {
            var existing = await hub.Status.ReadAsync(instanceId, cancellationToken);
            if (existing is not null && existing.Document.ExecutionId == executionId)
            {
                // Our own write, whose answer was lost and whose retry then saw it as a conflict.
                await SendStartAsync(existing.Document, cancellationToken);
                return instanceId;
            }

            if (existing is not null)
            {
                var status = existing.Document.Status;
                var blocks = !status.IsTerminal() || options.DedupeStatuses.Contains(status);
                if (blocks)
                {
                    if (options.IfDuplicate == DuplicateStartBehavior.ReturnExisting)
                    {
                        if (status == OrchestrationRuntimeStatus.Pending && existing.Document.Checkpoint == 0)
                        {
                            await SendStartAsync(existing.Document, cancellationToken); // finish an interrupted start (deduplicated by execution id)
                        }

                        return instanceId;
                    }

                    throw new OrchestrationAlreadyExistsException(instanceId, status);
                }
            }

            var document = new InstanceStatusDocument
            {
                InstanceId = instanceId,
                Name = orchestratorName,
                Version = version,
                ExecutionId = executionId,
                Status = OrchestrationRuntimeStatus.Pending,
                CreatedAt = now,
                LastUpdatedAt = now,
                ScheduledStartAt = startAt,
                Input = storedInput,
            };
            try
            {
                await hub.Status.WriteAsync(document, existing?.ETag, cancellationToken);
            }
            catch (Exception e) when (attempt < 3 && e is BlobAlreadyExistsException or BlobConditionFailedException or BlobNotFoundException)
            {
                continue; // someone else started or replaced it meanwhile: look again
            }

            await SendStartAsync(document, cancellationToken);
            return instanceId;
        }
    }

    /// <summary>The instance's status, or null when it does not exist.</summary>
    public async Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool getInputsAndOutputs = true, CancellationToken cancellationToken = default)
    {
        TaskHubNames.ValidateInstanceId(instanceId);
        var stored = await hub.Status.ReadAsync(instanceId, cancellationToken);
        return stored is null ? null : await ToMetadataAsync(stored.Document, getInputsAndOutputs, cancellationToken);
    }

    /// <summary>One page of instances matching <paramref name="query"/>.</summary>
    public async Task<InstancePage> QueryInstancesAsync(InstanceQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new InstanceQuery();
        if (query.PageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.PageSize, "InstanceQuery.PageSize must be 1-1000.");
        }

        await hub.EnsureCreatedAsync(cancellationToken);
        var position = QueryPosition.Decode(query.ContinuationToken);
        var results = new List<OrchestrationMetadata>();
        while (true)
        {
            var (heads, next) = await hub.Status.ListAsync(query.InstanceIdPrefix, query.PageSize, position.ListingToken, cancellationToken);
            foreach (var head in heads)
            {
                if (position.After is not null && string.CompareOrdinal(head.InstanceId, position.After) <= 0)
                {
                    continue;
                }

                if (results.Count == query.PageSize)
                {
                    // The page is full inside this listing page: resume here next time.
                    return new InstancePage(results, new QueryPosition(position.ListingToken, results[^1].InstanceId).Encode());
                }

                if (!Matches(head, query))
                {
                    continue;
                }

                results.Add(query.FetchInputsAndOutputs && await GetInstanceAsync(head.InstanceId, true, cancellationToken) is { } full
                    ? full
                    : FromHead(head));
            }

            position = new QueryPosition(next, null);
            if (next is null || results.Count == query.PageSize)
            {
                return new InstancePage(results, next is null ? null : position.Encode());
            }
        }
    }

    /// <summary>Every instance matching <paramref name="query"/>, page by page.</summary>
    public async IAsyncEnumerable<OrchestrationMetadata> ListInstancesAsync(InstanceQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new InstanceQuery();
        string? token = null;
        do
        {
            var page = await QueryInstancesAsync(query with { ContinuationToken = token }, cancellationToken);
            foreach (var instance in page.Instances)
            {
                yield return instance;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>Waits until the instance is Completed, Failed or Terminated (woken at once by a worker in this process, else polling with back-off up to 1 s).</summary>
    public Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = true, CancellationToken cancellationToken = default) =>
        WaitAsync(instanceId, s => s.IsTerminal(), getInputsAndOutputs, cancellationToken);

    /// <summary>Waits until the instance has left Pending.</summary>
    public Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellationToken = default) =>
        WaitAsync(instanceId, s => s != OrchestrationRuntimeStatus.Pending, getInputsAndOutputs, cancellationToken);

    /// <summary>Raises an event on an instance (delivered to <c>WaitForExternalEvent</c>, buffered until then).</summary>
    /// <exception cref="InstanceNotFoundException">No such instance.</exception>
    /// <exception cref="InvalidOperationException">The instance has finished.</exception>
    public async Task RaiseEventAsync(string instanceId, string eventName, object? eventData = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        var doc = await RequireLiveAsync(instanceId, "raise an event on", cancellationToken);
        var input = await hub.Payloads.OffloadIfLargeAsync(instanceId, PayloadJson.SerializeObject(eventData, hub.Json), cancellationToken);
        await SendControlAsync(doc.InstanceId, new EventRaisedEvent(Guid.NewGuid().ToString("N"), eventName, input), cancellationToken);
    }

    /// <summary>
    /// Terminates an instance. Its running activities have their cancellation token fired (within one heartbeat);
    /// later results are dropped. Terminating a finished instance does nothing.
    /// </summary>
    public async Task TerminateInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default)
    {
        TaskHubNames.ValidateInstanceId(instanceId);
        var stored = await hub.Status.ReadAsync(instanceId, cancellationToken)
            ?? throw new InstanceNotFoundException($"Cannot terminate instance '{instanceId}': it does not exist.");
        if (stored.Document.Status.IsTerminal())
        {
            return;
        }

        await SendControlAsync(instanceId, new ExecutionTerminatedEvent(reason), cancellationToken);
    }

    /// <summary>Suspends an instance: it stays Suspended, holding events and results, until resumed.</summary>
    public async Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default)
    {
        await RequireLiveAsync(instanceId, "suspend", cancellationToken);
        await SendControlAsync(instanceId, new ExecutionSuspendedEvent(reason), cancellationToken);
    }

    /// <summary>Resumes a suspended instance; what arrived meanwhile is delivered in order.</summary>
    public async Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellationToken = default)
    {
        await RequireLiveAsync(instanceId, "resume", cancellationToken);
        await SendControlAsync(instanceId, new ExecutionResumedEvent(reason), cancellationToken);
    }

    /// <summary>Deletes a finished instance: status, every execution's history and its payload blobs. False when it did not exist.</summary>
    /// <exception cref="InvalidOperationException">The instance has not finished (terminate it first).</exception>
    public async Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        TaskHubNames.ValidateInstanceId(instanceId);
        var stored = await hub.Status.ReadAsync(instanceId, cancellationToken);
        if (stored is null)
        {
            return false;
        }

        if (!stored.Document.Status.IsTerminal())
        {
            throw new InvalidOperationException($"Instance '{instanceId}' is {stored.Document.Status}; only finished instances can be purged (terminate it first).");
        }

        try
        {
            // Status first (over its ETag, so a concurrent restart is not lost), then what it pointed at.
            await hub.Status.DeleteAsync(instanceId, stored.ETag, cancellationToken);
        }
        catch (BlobConditionFailedException)
        {
            throw new InvalidOperationException($"Instance '{instanceId}' changed while it was being purged; try again.");
        }

        await BlobPrefix.DeleteAllAsync(hub.Blobs, hub.Retry, hub.Names.HistoryContainer, TaskHubNames.HistoryPrefix(instanceId), cancellationToken);
        await hub.Payloads.DeleteInstanceAsync(instanceId, cancellationToken);
        return true;
    }

    /// <summary>Purges every finished instance matching <paramref name="filter"/>; returns how many.</summary>
    public async Task<int> PurgeInstancesAsync(PurgeInstancesFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var statuses = filter.RuntimeStatus ?? [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];
        var unfinished = statuses.Where(s => !s.IsTerminal()).ToList();
        if (unfinished.Count > 0)
        {
            throw new ArgumentException($"Only finished instances can be purged; the filter names {string.Join(", ", unfinished)}.", nameof(filter));
        }

        var query = new InstanceQuery
        {
            RuntimeStatus = statuses,
            CreatedFrom = filter.CreatedFrom,
            CreatedTo = filter.CreatedTo,
            InstanceIdPrefix = filter.InstanceIdPrefix,
            PageSize = 500,
        };
        var victims = new List<string>();
        await foreach (var instance in ListInstancesAsync(query, cancellationToken))
        {
            victims.Add(instance.InstanceId);
        }

        var purged = 0;
        foreach (var id in victims)
        {
            try
            {
                if (await PurgeInstanceAsync(id, cancellationToken))
                {
                    purged++;
                }
            }
            catch (InvalidOperationException)
            {
                // Restarted since it was listed.
            }
        }

        return purged;
    }

    /// <summary>
    /// The stored history of an execution (the current one by default), checkpoint by checkpoint — what the
    /// runtime replays. Payloads appear as stored: inline JSON or <c>@blob:</c> references.
    /// </summary>
    public async Task<IReadOnlyList<OrchestrationHistoryCheckpoint>> GetHistoryAsync(string instanceId, string? executionId = null, CancellationToken cancellationToken = default)
    {
        TaskHubNames.ValidateInstanceId(instanceId);
        if (executionId is null)
        {
            var stored = await hub.Status.ReadAsync(instanceId, cancellationToken)
                ?? throw new InstanceNotFoundException($"Instance '{instanceId}' does not exist.");
            executionId = stored.Document.ExecutionId;
        }

        var snapshot = await hub.History.ReadAsync(instanceId, executionId, cancellationToken);
        return snapshot.Checkpoints
            .Select(c => new OrchestrationHistoryCheckpoint(
                c.Number,
                c.Events.Select(e => new OrchestrationHistoryEvent(
                    e.GetType().Name.EndsWith("Event", StringComparison.Ordinal) ? e.GetType().Name[..^"Event".Length] : e.GetType().Name,
                    e.Timestamp,
                    JsonSerializer.Serialize(e, DurableJson.Options))).ToList(),
                c.CustomStatus))
            .ToList();
    }

    /// <summary>Messages in the poison container, optionally only those from one queue.</summary>
    public Task<IReadOnlyList<PoisonMessageInfo>> GetPoisonMessagesAsync(string? queue = null, CancellationToken cancellationToken = default) =>
        hub.Poison.ListAsync(queue, cancellationToken);

    /// <summary>Puts a poison message back on its queue (after the cause was fixed) and removes it from the poison container.</summary>
    public async Task RequeuePoisonMessageAsync(string name, CancellationToken cancellationToken = default)
    {
        var info = await hub.Poison.GetAsync(name, cancellationToken)
            ?? throw new InvalidOperationException($"No poison message named '{name}'.");
        await hub.Retry.RunAsync("requeue poison message", ct => hub.Queues.SendAsync(info.Queue, info.Text, null, Timeout.InfiniteTimeSpan, ct), cancellationToken);
        hub.Signals.Notify(info.Queue);
        await hub.Poison.DeleteAsync(name, cancellationToken);
    }

    private async Task<OrchestrationMetadata> WaitAsync(string instanceId, Func<OrchestrationRuntimeStatus, bool> done, bool getInputsAndOutputs, CancellationToken cancellationToken)
    {
        TaskHubNames.ValidateInstanceId(instanceId);
        var signal = EpisodeRunner.InstanceSignal(instanceId);
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            // Poll the blob's metadata (a HEAD request); read the document once the status is the one we wait for.
            var version = hub.Signals.Version(signal);
            var head = await hub.Status.ReadHeadAsync(instanceId, cancellationToken)
                ?? throw new InstanceNotFoundException($"Instance '{instanceId}' does not exist.");
            if (done(head.Status) && await hub.Status.ReadAsync(instanceId, cancellationToken) is { } stored && done(stored.Document.Status))
            {
                return await ToMetadataAsync(stored.Document, getInputsAndOutputs, cancellationToken);
            }

            await hub.Signals.WaitAsync(signal, version, delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 3 / 2, MaxPollInterval.Ticks));
        }
    }

    private async Task<InstanceStatusDocument> RequireLiveAsync(string instanceId, string what, CancellationToken cancellationToken)
    {
        TaskHubNames.ValidateInstanceId(instanceId);
        var stored = await hub.Status.ReadAsync(instanceId, cancellationToken)
            ?? throw new InstanceNotFoundException($"Cannot {what} instance '{instanceId}': it does not exist.");
        if (stored.Document.Status.IsTerminal())
        {
            throw new InvalidOperationException($"Cannot {what} instance '{instanceId}': it is {stored.Document.Status}.");
        }

        return stored.Document;
    }

    private async Task SendStartAsync(InstanceStatusDocument doc, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var started = new ExecutionStartedEvent(doc.Name, doc.Version, doc.ExecutionId, doc.Input, null, doc.ScheduledStartAt) { Timestamp = now };
        await hub.SendAsync(
            new OutboundMessage(hub.ControlQueueOf(doc.InstanceId), doc.InstanceId, new ControlMessage(doc.InstanceId, doc.ExecutionId, [started], now)),
            cancellationToken);
    }

    private async Task SendControlAsync(string instanceId, HistoryEvent e, CancellationToken cancellationToken)
    {
        await hub.EnsureCreatedAsync(cancellationToken);
        var now = DateTime.UtcNow;
        await hub.SendAsync(
            new OutboundMessage(hub.ControlQueueOf(instanceId), instanceId, new ControlMessage(instanceId, null, [e with { Timestamp = now }], now)),
            cancellationToken);
    }

    private async Task<OrchestrationMetadata> ToMetadataAsync(InstanceStatusDocument doc, bool payloads, CancellationToken cancellationToken) => new()
    {
        InstanceId = doc.InstanceId,
        Name = doc.Name,
        Version = doc.Version,
        ExecutionId = doc.ExecutionId,
        RuntimeStatus = doc.Status,
        CreatedAt = doc.CreatedAt,
        LastUpdatedAt = doc.LastUpdatedAt,
        CompletedAt = doc.CompletedAt,
        ScheduledStartAt = doc.ScheduledStartAt,
        SerializedInput = payloads ? await hub.Payloads.ResolveAsync(doc.Input, cancellationToken) : null,
        SerializedOutput = payloads ? await hub.Payloads.ResolveAsync(doc.Output, cancellationToken) : null,
        SerializedCustomStatus = payloads ? await hub.Payloads.ResolveAsync(doc.CustomStatus, cancellationToken) : null,
        FailureDetails = doc.Failure,
        Parent = doc.Parent,
        Generation = doc.Generation,
        HistoryEvents = doc.HistoryEvents,
        Json = hub.Json,
    };

    private OrchestrationMetadata FromHead(StatusHead head) => new()
    {
        InstanceId = head.InstanceId,
        Name = head.Name,
        Version = head.Version,
        ExecutionId = head.ExecutionId,
        RuntimeStatus = head.Status,
        CreatedAt = head.CreatedAt,
        LastUpdatedAt = head.LastUpdatedAt,
        Json = hub.Json,
    };

    private static bool Matches(StatusHead head, InstanceQuery query) =>
        (query.RuntimeStatus is null || query.RuntimeStatus.Count == 0 || query.RuntimeStatus.Contains(head.Status)) &&
        (query.Name is null || string.Equals(query.Name, head.Name, StringComparison.OrdinalIgnoreCase)) &&
        (query.CreatedFrom is null || head.CreatedAt >= query.CreatedFrom) &&
        (query.CreatedTo is null || head.CreatedAt < query.CreatedTo);

    /// <summary>Where a query resumes: a storage listing token and the last instance id already returned from that listing page.</summary>
    private sealed record QueryPosition(string? ListingToken, string? After)
    {
        public string Encode() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(this, DurableJson.Options));

        public static QueryPosition Decode(string? token)
        {
            if (string.IsNullOrEmpty(token))
            {
                return new QueryPosition(null, null);
            }

            try
            {
                return JsonSerializer.Deserialize<QueryPosition>(Encoding.UTF8.GetString(Convert.FromBase64String(token)), DurableJson.Options)
                    ?? throw new FormatException("empty");
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                throw new ArgumentException($"The continuation token '{token}' is not one this client issued.", nameof(token), e);
            }
        }
    }
}
