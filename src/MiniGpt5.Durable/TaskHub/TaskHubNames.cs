using System.Globalization;
using System.Text;

namespace MiniGpt5.Durable.TaskHub;

/// <summary>
/// Names of everything a task hub keeps in storage. For hub <c>h</c>:
/// containers <c>h-instances</c> (status documents), <c>h-history</c> (append-blob histories),
/// <c>h-payloads</c> (offloaded payloads), <c>h-poison</c> (poison messages), <c>h-leases</c> (hub metadata,
/// partition leases, worker heartbeats); queues <c>h-control-00</c>.. (one per partition) and
/// <c>h-activities-{taskQueue}</c> (one per task queue).
/// </summary>
internal sealed class TaskHubNames
{
    /// <summary>The task queue of activities that do not name one.</summary>
    public const string DefaultTaskQueue = "default";

    public const int MaxHubNameLength = 30;
    // 30 (hub) + "-activities-" (12) + 21 = 63, the longest queue name Azure Storage accepts.
    public const int MaxTaskQueueLength = 21;

    public TaskHubNames(string hubName)
    {
        Hub = ValidateHubName(hubName);
        InstancesContainer = $"{Hub}-instances";
        HistoryContainer = $"{Hub}-history";
        PayloadsContainer = $"{Hub}-payloads";
        PoisonContainer = $"{Hub}-poison";
        LeasesContainer = $"{Hub}-leases";
    }

    public string Hub { get; }

    public string InstancesContainer { get; }

    public string HistoryContainer { get; }

    public string PayloadsContainer { get; }

    public string PoisonContainer { get; }

    public string LeasesContainer { get; }

    /// <summary>The hub's metadata blob (in the leases container): partition count and creation time.</summary>
    public static string HubInfoBlob => "hub.json";

    public IEnumerable<string> Containers => [InstancesContainer, HistoryContainer, PayloadsContainer, PoisonContainer, LeasesContainer];

    public string ControlQueue(int partition) => $"{Hub}-control-{partition.ToString("00", CultureInfo.InvariantCulture)}";

    public string ActivityQueue(string taskQueue) => $"{Hub}-activities-{taskQueue}";

    public static string PartitionLeaseBlob(int partition) => $"partitions/{partition.ToString("00", CultureInfo.InvariantCulture)}";

    public static string WorkerBlob(string workerId) => $"workers/{workerId}";

    /// <summary>The status document of an instance (in the instances container).</summary>
    public static string StatusBlob(string instanceId) => instanceId;

    /// <summary>The history of one execution (in the history container).</summary>
    public static string HistoryBlob(string instanceId, string executionId) => $"{instanceId}/{executionId}";

    /// <summary>Prefix of every history blob of an instance.</summary>
    public static string HistoryPrefix(string instanceId) => instanceId + "/";

    /// <summary>Prefix of every payload blob of an instance.</summary>
    public static string PayloadPrefix(string instanceId) => instanceId + "/";

    /// <summary>Hub names: 3-30 characters, lowercase letters, digits and single hyphens, starting with a letter.</summary>
    public static string ValidateHubName(string hubName)
    {
        ArgumentNullException.ThrowIfNull(hubName);
        if (hubName.Length is < 3 or > MaxHubNameLength || !char.IsAsciiLetterLower(hubName[0]) || !IsDnsLike(hubName))
        {
            throw new ArgumentException(
                $"Task hub name '{hubName}' is invalid: use 3-{MaxHubNameLength} lowercase letters, digits and single hyphens, starting with a letter " +
                "(it prefixes container and queue names).",
                nameof(hubName));
        }

        return hubName;
    }

    /// <summary>Task queue names: 1-23 lowercase letters, digits and single hyphens.</summary>
    public static string ValidateTaskQueue(string taskQueue)
    {
        ArgumentNullException.ThrowIfNull(taskQueue);
        if (taskQueue.Length is < 1 or > MaxTaskQueueLength || !IsDnsLike(taskQueue))
        {
            throw new ArgumentException(
                $"Task queue name '{taskQueue}' is invalid: use 1-{MaxTaskQueueLength} lowercase letters, digits and single hyphens (for example 'default' or 'gpu').",
                nameof(taskQueue));
        }

        return taskQueue;
    }

    /// <summary>
    /// Instance ids: 1-256 characters, no control characters and none of <c>/ \ # ?</c> (the id is a blob name
    /// and a blob-name prefix, and must not leak into another instance's prefix).
    /// </summary>
    public static string ValidateInstanceId(string instanceId)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        if (instanceId.Length is < 1 or > 256)
        {
            throw new ArgumentException($"Instance id '{instanceId}' must be 1-256 characters long.", nameof(instanceId));
        }

        foreach (var c in instanceId)
        {
            if (char.IsControl(c) || c is '/' or '\\' or '#' or '?' || char.IsSurrogate(c))
            {
                throw new ArgumentException(
                    $"Instance id '{instanceId}' holds '{(char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString())}', which is not allowed (no control characters, '/', '\\', '#', '?').",
                    nameof(instanceId));
            }
        }

        if (instanceId is "." or ".." || instanceId.Trim().Length != instanceId.Length)
        {
            throw new ArgumentException($"Instance id '{instanceId}' must not be '.', '..' or start or end with white space.", nameof(instanceId));
        }

        return instanceId;
    }

    /// <summary>Encodes a free-text value as printable ASCII for blob metadata.</summary>
    public static string EncodeMetadata(string value) => Uri.EscapeDataString(value);

    public static string DecodeMetadata(string value) => Uri.UnescapeDataString(value);

    private static bool IsDnsLike(string name)
    {
        if (name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>FNV-1a (32-bit) over UTF-8: pins an instance to a partition, the same on every machine.</summary>
internal static class Fnv1a
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static uint Hash(string value)
    {
        var hash = OffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }

    public static int Partition(string instanceId, int partitionCount) => (int)(Hash(instanceId) % (uint)partitionCount);
}
