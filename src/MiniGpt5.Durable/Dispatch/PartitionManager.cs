using System.Globalization;
using MiniGpt5.Durable.TaskHub;
using MiniGpt5.Storage;

namespace MiniGpt5.Durable.Dispatch;

/// <summary>
/// Partition ownership by blob leases (<c>{hub}-leases/partitions/NN</c>), balanced cooperatively: each
/// orchestration worker writes a heartbeat blob (<c>workers/{id}</c>) every round and aims at
/// ceil(partitions / live workers). A worker above its share drains one partition (finishes its episodes,
/// hands back its buffered messages) and releases the lease; one below its share acquires free leases. Nobody
/// steals a lease, so two owners exist only when a lease expires under a stalled owner; then the history
/// append position decides who commits (see <see cref="HistoryLog"/>). Liveness compares blob times set by
/// the storage service, never two machines' clocks.
/// </summary>
internal sealed class PartitionManager(
    DurableTaskHub hub,
    string workerId,
    Func<int, Task> onAcquired,
    Func<int, bool, Task> onReleased) : IDisposable
{
    private readonly Dictionary<int, OwnedLease> _owned = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public IReadOnlyCollection<int> Owned
    {
        get
        {
            lock (_owned)
            {
                return _owned.Keys.Order().ToArray();
            }
        }
    }

    private string Container => hub.Names.LeasesContainer;

    private TimeSpan WorkerExpiry => (hub.Options.PartitionLeaseRenewInterval * 3) + TimeSpan.FromSeconds(2);

    public void Start() => _loop = Task.Run(LoopAsync, CancellationToken.None);

    /// <summary>Stops balancing, drains and releases every owned partition, and removes the heartbeat.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        foreach (var partition in Owned)
        {
            await ReleaseAsync(partition, "shutdown");
        }

        try
        {
            await hub.Blobs.DeleteAsync(Container, TaskHubNames.WorkerBlob(workerId));
        }
        catch (StorageException)
        {
        }
    }

    public void Dispose() => _stop.Dispose();

    private async Task LoopAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                DurableLog.PartitionManagerError(hub.Logger, e, workerId);
            }

            try
            {
                await Task.Delay(hub.Options.PartitionLeaseRenewInterval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        await RenewAsync(cancellationToken);
        var live = await HeartbeatAndCountWorkersAsync(cancellationToken);
        var target = (hub.PartitionCount + live - 1) / live;
        var owned = Owned;
        if (owned.Count > target)
        {
            await ReleaseAsync(owned.Max(), $"rebalancing to {target} per worker across {live} workers");
            return;
        }

        // Start at a worker-specific offset so workers starting together do not all try partition 0 first.
        var offset = (int)(Fnv1a.Hash(workerId) % (uint)hub.PartitionCount);
        for (var i = 0; i < hub.PartitionCount && Owned.Count < target; i++)
        {
            var partition = (offset + i) % hub.PartitionCount;
            if (!owned.Contains(partition))
            {
                await TryAcquireAsync(partition, cancellationToken);
            }
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        foreach (var partition in Owned)
        {
            OwnedLease lease;
            lock (_owned)
            {
                lease = _owned[partition];
            }

            try
            {
                await hub.Retry.RunAsync(
                    "renew partition lease",
                    ct => hub.Blobs.RenewLeaseAsync(Container, TaskHubNames.PartitionLeaseBlob(partition), lease.LeaseId, ct),
                    cancellationToken);
                lease.RenewedAt = DateTime.UtcNow;
            }
            catch (BlobLeaseConflictException e)
            {
                await LoseAsync(partition, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Could not reach storage. Past most of the lease, assume someone else may own it now.
                if (DateTime.UtcNow - lease.RenewedAt > hub.Options.PartitionLeaseDuration - hub.Options.PartitionLeaseRenewInterval)
                {
                    await LoseAsync(partition, $"could not renew for too long: {e.Message}");
                }
            }
        }
    }

    private async Task<int> HeartbeatAndCountWorkersAsync(CancellationToken cancellationToken)
    {
        var mine = await hub.Retry.RunAsync(
            "worker heartbeat",
            ct => hub.Blobs.PutAsync(
                Container,
                TaskHubNames.WorkerBlob(workerId),
                new MemoryStream([], writable: false),
                new BlobPutOptions { Metadata = new Dictionary<string, string> { ["owned"] = string.Join('-', Owned.Select(p => p.ToString(CultureInfo.InvariantCulture))) } },
                ct),
            cancellationToken);
        var live = 0;
        string? token = null;
        do
        {
            var page = await hub.Retry.RunAsync(
                "list workers",
                ct => hub.Blobs.ListPageAsync(Container, new BlobListOptions(Prefix: "workers/"), token, ct),
                cancellationToken);
            foreach (var blob in page.Blobs)
            {
                var age = mine.LastModified - blob.LastModified;
                if (age <= WorkerExpiry)
                {
                    live++;
                }
                else if (age > WorkerExpiry * 10)
                {
                    try
                    {
                        await hub.Blobs.DeleteAsync(Container, blob.Name, cancellationToken: cancellationToken);
                    }
                    catch (StorageException)
                    {
                    }
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return Math.Max(1, live);
    }

    private async Task TryAcquireAsync(int partition, CancellationToken cancellationToken)
    {
        // One proposed id for every retry: a retried acquire whose first answer was lost then succeeds again.
        var proposed = Guid.NewGuid().ToString();
        string leaseId;
        try
        {
            leaseId = await hub.Retry.RunAsync(
                "acquire partition lease",
                ct => hub.Blobs.AcquireLeaseAsync(Container, TaskHubNames.PartitionLeaseBlob(partition), hub.Options.PartitionLeaseDuration, proposed, ct),
                cancellationToken);
        }
        catch (BlobLeaseConflictException)
        {
            return; // owned by someone else
        }

        lock (_owned)
        {
            _owned[partition] = new OwnedLease(leaseId) { RenewedAt = DateTime.UtcNow };
        }

        DurableLog.PartitionAcquired(hub.Logger, workerId, partition);
        await onAcquired(partition);
    }

    private async Task ReleaseAsync(int partition, string reason)
    {
        OwnedLease? lease;
        lock (_owned)
        {
            _owned.Remove(partition, out lease);
        }

        if (lease is null)
        {
            return;
        }

        // Drain first, release after: the next owner must not start before our last episode finished.
        await onReleased(partition, false);
        try
        {
            await hub.Blobs.ReleaseLeaseAsync(Container, TaskHubNames.PartitionLeaseBlob(partition), lease.LeaseId);
        }
        catch (StorageException)
        {
            // Lost or unreachable: it expires on its own.
        }

        DurableLog.PartitionReleased(hub.Logger, workerId, partition, reason);
    }

    private async Task LoseAsync(int partition, string error)
    {
        lock (_owned)
        {
            _owned.Remove(partition);
        }

        DurableLog.PartitionLost(hub.Logger, workerId, partition, error);
        await onReleased(partition, true);
    }

    private sealed class OwnedLease(string leaseId)
    {
        public string LeaseId { get; } = leaseId;

        public DateTime RenewedAt { get; set; }
    }
}
